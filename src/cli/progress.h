/* progress.h -- progress of a long job: a bar redrawn in place on a
 * terminal (step/total, loss, accuracy, tokens/s, ETA), nothing between the
 * periodic lines otherwise. Notes print on their own line either way. */
#ifndef ASACL_CLI_PROGRESS_H
#define ASACL_CLI_PROGRESS_H

typedef struct progress {
    long total;
    int tty;
    double t0, last_draw;
} progress;

double progress_now(void);
void progress_start(progress *p, long total, int log_every);
/* accuracy < 0: not shown. */
void progress_update(progress *p, long step, double loss, double accuracy, double tokens_per_s);
void progress_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_end(progress *p);

#endif
