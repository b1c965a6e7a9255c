/* viz.h -- the pictures of asacl: attention maps and adversary masks
 * (explain.c), training curves (curves.c) and the run report (report.c),
 * drawn with cairo when the library is built with it (ASACL_HAVE_CAIRO).
 *
 * The geometry of each figure is computed here, apart from the drawing, so
 * that a test reading a PNG back knows where each cell and panel is. */
#ifndef ASACL_VIZ_H
#define ASACL_VIZ_H

#include <stddef.h>

#include "asacl.h"

/* What the drawing calls say when the library was built without cairo. */
#define VIZ_NO_CAIRO \
    "asacl was built without cairo, which draws its pictures: install it " \
    "(sudo apt-get install libcairo2-dev) and rebuild asacl (cmake -S . -B build && " \
    "cmake --build build)"
asacl_status viz_unsupported(const char *what);

/* ---- colours (0..1 channels) --------------------------------------------------- */

typedef struct viz_rgb {
    double r, g, b;
} viz_rgb;

extern const viz_rgb VIZ_KEPT, VIZ_MASKED, VIZ_TIE, VIZ_BACKGROUND;
/* The heat map's colour of t in [0, 1] (0 white, 1 dark blue); t is clamped. */
viz_rgb viz_heat(double t);
/* The colour of run i in overlaid curves. */
viz_rgb viz_run_colour(size_t i);

/* Tick step for a range: 1, 2 or 5 times a power of ten giving about n ticks. */
double viz_tick_step(double lo, double hi, int n);
/* A number as a tick label, with as many decimals as the step needs. */
void viz_tick_label(double v, double step, char *buf, size_t cap);

typedef struct viz_rect {
    double x, y, w, h;
} viz_rect;

/* ---- the explain figure ------------------------------------------------------------ */

#define VIZ_LABEL_CHARS 14 /* longer word pieces are cut (with "...") */

typedef struct explain_layout {
    int width, height;
    double cell;                     /* side of one (query, key) cell, pixels */
    size_t rows;                     /* layers shown, one row each */
    viz_rect heat[ASACL_MAX_LAYERS]; /* the T x T attention cells of each row */
    viz_rect scale[ASACL_MAX_LAYERS];/* its colour scale */
    viz_rect mask[ASACL_MAX_LAYERS]; /* the mask's cells (w = 0 without a mask) */
} explain_layout;

/* T tokens, the longest label (in characters, a cut's "..." included),
 * rows layers, with or without the mask panels, a title or not. Cell (i, j)
 * of row r (query i, key j) is the square at heat[r].x + j * cell,
 * heat[r].y + i * cell. */
void explain_layout_compute(size_t T, size_t label_chars, size_t rows, int with_mask,
                            int title, explain_layout *g);

/* ---- runs: what a run folder's metrics.jsonl holds ---------------------------------- */

#define VIZ_MAX_SPLITS 4

typedef struct viz_series {
    size_t n, cap;
    double *x, *y;
} viz_series;

typedef struct viz_run {
    char name[256];
    size_t layers;                           /* masked fractions per training line */
    viz_series task, vloss, lr;              /* x = step */
    viz_series masked[ASACL_MAX_LAYERS];
    size_t n_splits;
    char split[VIZ_MAX_SPLITS][32];          /* "dev", "dev-shift" */
    char metric[VIZ_MAX_SPLITS][16];         /* "accuracy" or "pearson" */
    viz_series eval[VIZ_MAX_SPLITS];
    int any_asa;                             /* some vloss or masked fraction non-zero */
} viz_run;

/* Reads DIR/metrics.jsonl. A line that is not a JSON object is an error
 * naming file:line, except an unfinished last line (a writer mid-line). A
 * step at or before the previous one (a resumed run appending) replaces the
 * points from that step on. A missing file is an empty run. */
asacl_status viz_run_read(const char *dir, const char *name, viz_run *run);
void viz_run_free(viz_run *run);

/* ---- the curves figure --------------------------------------------------------------- */

enum { VIZ_PANEL_LOSS, VIZ_PANEL_METRIC, VIZ_PANEL_LR, VIZ_PANEL_MASKED, VIZ_PANELS };

typedef struct curves_layout {
    int width, height;
    viz_rect plot[VIZ_PANELS];       /* each panel's data area */
    double x0[VIZ_PANELS], x1[VIZ_PANELS], y0[VIZ_PANELS], y1[VIZ_PANELS]; /* its ranges */
} curves_layout;

/* Panels and data ranges (rounded to tick steps) for these runs. */
void curves_layout_compute(const viz_run *runs, size_t n, curves_layout *g);
/* Pixel of data point (x, y) in panel p. */
double curves_px(const curves_layout *g, int p, double x);
double curves_py(const curves_layout *g, int p, double y);

/* The curves as PNG bytes (malloc'd); ASACL_ERR_UNSUPPORTED without cairo. */
asacl_status curves_png(const viz_run *runs, size_t n, unsigned char **png, size_t *size);

#endif
