/* curves.c -- training curves of one or more runs (asacl_plot_runs): four
 * panels against the step -- loss (task solid, vloss dashed), the dev
 * metric (one line style per split, a dot per evaluation), the learning
 * rate, and the masked fraction (one line style per layer) -- each run in
 * its own colour, named in the legend above. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "viz/viz.h"
#ifdef ASACL_HAVE_CAIRO
#include "viz/draw.h"
#endif

#define WIDTH 1200
#define HEIGHT 860
#define MARGIN 16
#define LEGEND_H 34
#define PANEL_TITLE 26
#define AXIS_LEFT 64
#define AXIS_BOTTOM 40

/* The series of panel p (k-th of run r), NULL past the last. */
static const viz_series *panel_series(const viz_run *r, int p, size_t k)
{
    switch (p) {
    case VIZ_PANEL_LOSS: return k == 0 ? &r->task : k == 1 && r->any_asa ? &r->vloss : NULL;
    case VIZ_PANEL_METRIC: return k < r->n_splits ? &r->eval[k] : NULL;
    case VIZ_PANEL_LR: return k == 0 ? &r->lr : NULL;
    default: return k < r->layers && r->any_asa ? &r->masked[k] : NULL;
    }
}

static double nice_down(double v, double step) { return floor(v / step + 1e-9) * step; }
static double nice_up(double v, double step) { return ceil(v / step - 1e-9) * step; }

void curves_layout_compute(const viz_run *runs, size_t n, curves_layout *g)
{
    memset(g, 0, sizeof *g);
    g->width = WIDTH;
    g->height = HEIGHT;
    double pw = (WIDTH - 2 * MARGIN) / 2.0, ph = (HEIGHT - 2 * MARGIN - LEGEND_H) / 2.0;
    double xmax = 0;
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < VIZ_PANELS; p++)
            for (size_t k = 0; panel_series(&runs[i], p, k); k++) {
                const viz_series *s = panel_series(&runs[i], p, k);
                if (s->n && s->x[s->n - 1] > xmax) xmax = s->x[s->n - 1];
            }
    if (!(xmax > 0)) xmax = 1;
    for (int p = 0; p < VIZ_PANELS; p++) {
        double x = MARGIN + (p % 2) * pw, y = MARGIN + LEGEND_H + (p / 2) * ph;
        g->plot[p] = (viz_rect){x + AXIS_LEFT, y + PANEL_TITLE, pw - AXIS_LEFT - 18,
                                ph - PANEL_TITLE - AXIS_BOTTOM};
        g->x0[p] = 0;
        g->x1[p] = nice_up(xmax, viz_tick_step(0, xmax, 6));
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; panel_series(&runs[i], p, k); k++) {
                const viz_series *s = panel_series(&runs[i], p, k);
                for (size_t j = 0; j < s->n; j++)
                    if (isfinite(s->y[j])) {
                        if (s->y[j] < lo) lo = s->y[j];
                        if (s->y[j] > hi) hi = s->y[j];
                    }
            }
        if (lo > hi) lo = 0, hi = 1;
        /* losses, rates and fractions from 0; the metric around its values */
        if (p != VIZ_PANEL_METRIC && lo > 0) lo = 0;
        if (hi - lo < 1e-12) hi = lo + (fabs(lo) > 0 ? fabs(lo) * 0.1 : 1);
        double step = viz_tick_step(lo, hi, 5);
        g->y0[p] = nice_down(lo, step);
        g->y1[p] = nice_up(hi, step);
    }
}

double curves_px(const curves_layout *g, int p, double x)
{
    return g->plot[p].x + (x - g->x0[p]) / (g->x1[p] - g->x0[p]) * g->plot[p].w;
}

double curves_py(const curves_layout *g, int p, double y)
{
    return g->plot[p].y + g->plot[p].h - (y - g->y0[p]) / (g->y1[p] - g->y0[p]) * g->plot[p].h;
}

#ifdef ASACL_HAVE_CAIRO

static const char *const panel_title[VIZ_PANELS] = {
    "loss: task (solid), vloss (dashed)", "dev", "learning rate",
    "masked fraction per layer"};

/* Line style k: solid, dashed, dotted, dash-dot, then again. */
static void line_style(cairo_t *cr, size_t k)
{
    static const double dash[4][4] = {{0}, {8, 5}, {2, 4}, {9, 4, 2, 4}};
    static const int nd[4] = {0, 2, 2, 4};
    cairo_set_dash(cr, dash[k % 4], nd[k % 4], 0);
}

static void draw_axes(cairo_t *cr, const curves_layout *g, int p, const char *title)
{
    viz_rect r = g->plot[p];
    draw_colour(cr, (viz_rgb){0, 0, 0});
    draw_text(cr, r.x, r.y - PANEL_TITLE / 2.0, title, 13, -1, 0);
    char buf[32];
    double xs = viz_tick_step(g->x0[p], g->x1[p], 6), ys = viz_tick_step(g->y0[p], g->y1[p], 5);
    cairo_set_line_width(cr, 1);
    for (double v = g->x0[p]; v <= g->x1[p] + xs * 1e-6; v += xs) {
        double x = round(curves_px(g, p, v)) + 0.5;
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, x, r.y);
        cairo_line_to(cr, x, r.y + r.h);
        cairo_stroke(cr);
        viz_tick_label(v, xs, buf, sizeof buf);
        draw_colour(cr, (viz_rgb){0.2, 0.2, 0.2});
        draw_text(cr, x, r.y + r.h + 12, buf, 10, 0, 0);
    }
    for (double v = g->y0[p]; v <= g->y1[p] + ys * 1e-6; v += ys) {
        double y = round(curves_py(g, p, v)) + 0.5;
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, r.x, y);
        cairo_line_to(cr, r.x + r.w, y);
        cairo_stroke(cr);
        viz_tick_label(v, ys, buf, sizeof buf);
        draw_colour(cr, (viz_rgb){0.2, 0.2, 0.2});
        draw_text(cr, r.x - 6, y, buf, 10, 1, 0);
    }
    draw_text(cr, r.x + r.w / 2, r.y + r.h + 30, "step", 11, 0, 0);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_rectangle(cr, r.x - 0.5, r.y - 0.5, r.w + 1, r.h + 1);
    cairo_stroke(cr);
}

static void draw_series(cairo_t *cr, const curves_layout *g, int p, const viz_series *s,
                        viz_rgb c, size_t style, int dots)
{
    viz_rect r = g->plot[p];
    cairo_save(cr);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_clip(cr);
    draw_colour(cr, c);
    cairo_set_line_width(cr, 2);
    line_style(cr, style);
    int pen = 0;
    for (size_t j = 0; j < s->n; j++) {
        if (!isfinite(s->y[j])) {
            pen = 0;
            continue;
        }
        double x = curves_px(g, p, s->x[j]), y = curves_py(g, p, s->y[j]);
        if (pen) cairo_line_to(cr, x, y);
        else cairo_move_to(cr, x, y);
        pen = 1;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t j = 0; dots && j < s->n; j++) {
        if (!isfinite(s->y[j])) continue;
        cairo_arc(cr, curves_px(g, p, s->x[j]), curves_py(g, p, s->y[j]), 3.5, 0, 2 * 3.14159265358979);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

/* The metric panel's title names the splits and their line styles. */
static void metric_title(const viz_run *runs, size_t n, char *buf, size_t cap)
{
    const viz_run *r = NULL;
    for (size_t i = 0; i < n && !r; i++)
        if (runs[i].n_splits) r = &runs[i];
    if (!r) {
        snprintf(buf, cap, "dev metric (no evaluations)");
        return;
    }
    static const char *style[4] = {"solid", "dashed", "dotted", "dash-dot"};
    size_t k = 0;
    k += (size_t)snprintf(buf, cap, "dev %s:", r->metric[0]);
    for (size_t s = 0; s < r->n_splits && k < cap; s++)
        k += (size_t)snprintf(buf + k, cap - k, "%s %s (%s)", s ? "," : "", r->split[s], style[s % 4]);
}

static void masked_title(const viz_run *runs, size_t n, char *buf, size_t cap)
{
    size_t L = 0;
    for (size_t i = 0; i < n; i++)
        if (runs[i].any_asa && runs[i].layers > L) L = runs[i].layers;
    static const char *style[4] = {"solid", "dashed", "dotted", "dash-dot"};
    size_t k = (size_t)snprintf(buf, cap, "masked fraction:");
    if (!L) snprintf(buf + k, cap - k, " (no ASA run)");
    for (size_t l = 0; l < L && l < 4 && k < cap; l++)
        k += (size_t)snprintf(buf + k, cap - k, "%s layer %zu %s", l ? "," : "", l, style[l]);
    if (L > 4 && k < cap) snprintf(buf + k, cap - k, ", ...");
}

static void draw_legend(cairo_t *cr, const viz_run *runs, size_t n)
{
    double x = MARGIN + AXIS_LEFT, y = MARGIN + LEGEND_H / 2.0;
    for (size_t i = 0; i < n; i++) {
        draw_colour(cr, viz_run_colour(i));
        cairo_set_line_width(cr, 3);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + 26, y);
        cairo_stroke(cr);
        draw_colour(cr, (viz_rgb){0, 0, 0});
        draw_text(cr, x + 32, y, runs[i].name, 13, -1, 0);
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 13);
        cairo_text_extents_t e;
        cairo_text_extents(cr, runs[i].name, &e);
        x += 32 + e.x_advance + 28;
    }
}

static asacl_status draw_curves(const viz_run *runs, size_t n, cairo_surface_t **out)
{
    curves_layout g;
    curves_layout_compute(runs, n, &g);
    cairo_surface_t *s = draw_surface(g.width, g.height, "the curves");
    if (!s) return ASACL_ERR_OUT_OF_MEMORY;
    cairo_t *cr = cairo_create(s);
    draw_legend(cr, runs, n);
    char title[256];
    for (int p = 0; p < VIZ_PANELS; p++) {
        if (p == VIZ_PANEL_METRIC) metric_title(runs, n, title, sizeof title);
        else if (p == VIZ_PANEL_MASKED) masked_title(runs, n, title, sizeof title);
        else snprintf(title, sizeof title, "%s", panel_title[p]);
        draw_axes(cr, &g, p, title);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; panel_series(&runs[i], p, k); k++)
                draw_series(cr, &g, p, panel_series(&runs[i], p, k), viz_run_colour(i), k,
                            p == VIZ_PANEL_METRIC);
    }
    cairo_destroy(cr);
    *out = s;
    return ASACL_OK;
}

asacl_status curves_png(const viz_run *runs, size_t n, unsigned char **png, size_t *size)
{
    cairo_surface_t *s;
    TRY(draw_curves(runs, n, &s));
    asacl_status st = draw_png_bytes(s, png, size);
    cairo_surface_destroy(s);
    return st;
}

#else

asacl_status curves_png(const viz_run *runs, size_t n, unsigned char **png, size_t *size)
{
    (void)runs, (void)n, (void)png, (void)size;
    return viz_unsupported("drawing the curves");
}

#endif

asacl_status asacl_plot_runs(const char *const *dirs, size_t n, const char *const *labels,
                             const char *path)
{
    if (!dirs || !n || !path) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_plot_runs: no runs or no file");
    if (!asacl_have_cairo()) return viz_unsupported(path);
    viz_run *runs = calloc(n, sizeof *runs);
    if (!runs) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "plotting %zu runs", n);
    asacl_status st = ASACL_OK;
    size_t got = 0;
    for (; got < n && st == ASACL_OK; got++) {
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/metrics.jsonl", dirs[got]);
        FILE *f = fopen(probe, "rb");
        if (!f) st = rt_fail(ASACL_ERR_IO, "%s: no metrics.jsonl (a folder written by asacl train)",
                             dirs[got]);
        else fclose(f);
        if (st == ASACL_OK) st = viz_run_read(dirs[got], labels ? labels[got] : NULL, &runs[got]);
    }
    unsigned char *png = NULL;
    size_t size = 0;
    if (st == ASACL_OK) st = curves_png(runs, n, &png, &size);
    if (st == ASACL_OK) st = rt_write_file_atomic(path, png, size);
    free(png);
    for (size_t i = 0; i < got; i++) viz_run_free(&runs[i]);
    free(runs);
    return st;
}
