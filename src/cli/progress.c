/* progress.c -- see progress.h. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "asacl.h"
#include "cli/progress.h"

static int bar_shown;

double progress_now(void) { return asacl_now(); }

void progress_start(progress *p, long total, int log_every)
{
    (void)log_every;
    p->total = total;
    p->tty = isatty(fileno(stderr));
    p->t0 = progress_now();
    p->last_draw = 0;
}

void progress_update(progress *p, long step, double loss, double accuracy, double tokens_per_s)
{
    if (!p->tty) return;
    double now = progress_now();
    if (now - p->last_draw < 0.2 && step < p->total) return;
    p->last_draw = now;
    double eta = step ? (now - p->t0) / (double)step * (double)(p->total - step) : 0;
    int width = 24, fill = p->total ? (int)(width * step / p->total) : 0;
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    char acc[32] = "";
    if (accuracy >= 0) snprintf(acc, sizeof acc, "  acc %.3f", accuracy);
    fprintf(stderr, "\r[%s] %ld/%ld  loss %.4f%s  %.0f tok/s  ETA %d:%02d   ", bar, step, p->total,
            loss, acc, tokens_per_s, (int)eta / 60, (int)eta % 60);
    fflush(stderr);
    bar_shown = 1;
}

void progress_note(const char *fmt, ...)
{
    if (bar_shown) fputc('\n', stderr);
    bar_shown = 0;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void progress_end(progress *p)
{
    if (p->tty && bar_shown) fputc('\n', stderr);
    bar_shown = 0;
}
