/* heatmap.c -- the explain figure (asacl_explain_png): per layer, the
 * clean pass's attention as a heat map, word pieces on both axes (rows:
 * queries, columns: keys) with its colour scale, and beside it the
 * adversary's mask M of the same input (kept / masked units) with the
 * masked fraction. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "viz/viz.h"
#ifdef ASACL_HAVE_CAIRO
#include "viz/draw.h"
#endif

#define MARGIN 16
#define HEADER 26     /* a row's caption */
#define TITLE 44      /* the figure's title and its note */
#define SCALE_W 14    /* the colour bar */
#define SCALE_TEXT 46 /* its numbers */
#define LEGEND 110

static double font_for(double cell) { return cell * 0.8 < 6 ? 6 : cell * 0.8 > 11 ? 11 : cell * 0.8; }

void explain_layout_compute(size_t T, size_t label_chars, size_t rows, int with_mask, int title,
                            explain_layout *g)
{
    memset(g, 0, sizeof *g);
    if (rows > ASACL_MAX_LAYERS) rows = ASACL_MAX_LAYERS;
    if (label_chars > VIZ_LABEL_CHARS + 3) label_chars = VIZ_LABEL_CHARS + 3;
    double cell = T ? floor(400.0 / (double)T) : 28;
    if (cell > 28) cell = 28;
    if (cell < 6) cell = 6;
    double map = cell * (double)T, lab = 8 + ceil(0.62 * font_for(cell) * (double)label_chars);
    g->cell = cell;
    g->rows = rows;
    double y = MARGIN + (title ? TITLE : 0), right = 0;
    for (size_t r = 0; r < rows; r++) {
        double x = MARGIN + lab;
        g->heat[r] = (viz_rect){x, y + HEADER, map, map};
        g->scale[r] = (viz_rect){x + map + 12, y + HEADER, SCALE_W, map};
        right = g->scale[r].x + SCALE_W + SCALE_TEXT;
        if (with_mask) {
            g->mask[r] = (viz_rect){right + lab, y + HEADER, map, map};
            right = g->mask[r].x + map + LEGEND;
        }
        y += HEADER + map + lab + 14;
    }
    g->width = (int)(right + MARGIN);
    if (g->width < 560) g->width = 560;
    g->height = (int)(y + MARGIN - 14);
}

void asacl_explain_options_init(asacl_explain_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->layer = -1;
    o->head = -1;
}

#ifdef ASACL_HAVE_CAIRO

/* The first VIZ_LABEL_CHARS characters (UTF-8) of s, "..." marking a cut. */
static void label_of(const char *s, char *out, size_t cap, size_t *chars)
{
    size_t n = 0, i = 0;
    while (s[i] && n < VIZ_LABEL_CHARS) {
        i++;
        while ((s[i] & 0xC0) == 0x80) i++;
        n++;
    }
    snprintf(out, cap, "%.*s%s", (int)i, s, s[i] ? "..." : "");
    *chars = n + (s[i] ? 3 : 0);
}

static void draw_labels(cairo_t *cr, const explain_layout *g, viz_rect m, char (*labels)[64],
                        size_t T)
{
    double fs = font_for(g->cell);
    draw_colour(cr, (viz_rgb){0.1, 0.1, 0.1});
    for (size_t i = 0; i < T; i++) {
        double c = (double)i * g->cell + g->cell / 2;
        draw_text(cr, m.x - 4, m.y + c, labels[i], fs, 1, 0);                 /* query */
        draw_text(cr, m.x + c, m.y + m.h + 4, labels[i], fs, 1, -1.5707963267948966);   /* key */
    }
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, m.x - 0.5, m.y - 0.5, m.w + 1, m.h + 1);
    cairo_stroke(cr);
}

static void draw_scale(cairo_t *cr, viz_rect s, double vmax)
{
    for (int k = 0; k < (int)s.h; k++) /* top: vmax, bottom: 0 */
        draw_rect(cr, s.x, s.y + k, s.w, 1, viz_heat(1.0 - (k + 0.5) / s.h));
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, s.x - 0.5, s.y - 0.5, s.w + 1, s.h + 1);
    cairo_stroke(cr);
    char buf[32];
    draw_colour(cr, (viz_rgb){0.1, 0.1, 0.1});
    for (int k = 0; k <= 2; k++) {
        double v = vmax * k / 2;
        snprintf(buf, sizeof buf, "%.3g", v);
        draw_text(cr, s.x + s.w + 4, s.y + s.h - s.h * k / 2, buf, 10, -1, 0);
    }
}

static void draw_legend(cairo_t *cr, double x, double y, int ties)
{
    const viz_rgb c[3] = {VIZ_KEPT, VIZ_MASKED, VIZ_TIE};
    const char *name[3] = {"kept", "masked", "A = 0 (0.5)"};
    for (int k = 0; k < (ties ? 3 : 2); k++) {
        draw_rect(cr, x, y + 20 * k, 12, 12, c[k]);
        cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
        cairo_rectangle(cr, x - 0.5, y + 20 * k - 0.5, 13, 13);
        cairo_stroke(cr);
        draw_colour(cr, (viz_rgb){0.1, 0.1, 0.1});
        draw_text(cr, x + 18, y + 20 * k + 6, name[k], 11, -1, 0);
    }
}

static asacl_status draw_row(cairo_t *cr, const explain_layout *g, size_t r, const asacl_attention *a,
                             int layer, int head, char (*labels)[64], float *map)
{
    size_t T = a->T;
    TRY(asacl_attention_map(a, layer, head, map));
    double vmax = 0;
    for (size_t i = 0; i < T * T; i++)
        if (map[i] > vmax) vmax = map[i];
    viz_rect h = g->heat[r];
    char cap[160];
    if (head < 0) snprintf(cap, sizeof cap, "layer %d: attention, mean of %zu heads", layer, a->H);
    else snprintf(cap, sizeof cap, "layer %d: attention, head %d", layer, head);
    draw_colour(cr, (viz_rgb){0, 0, 0});
    draw_text(cr, h.x, h.y - HEADER / 2.0, cap, 12, -1, 0);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (size_t i = 0; i < T; i++)
        for (size_t j = 0; j < T; j++)
            draw_rect(cr, h.x + (double)j * g->cell, h.y + (double)i * g->cell, g->cell, g->cell,
                      viz_heat(vmax > 0 ? map[i * T + j] / vmax : 0));
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    draw_labels(cr, g, h, labels, T);
    draw_scale(cr, g->scale[r], vmax);
    if (!a->mask) return ASACL_OK;

    viz_rect m = g->mask[r];
    const float *M = a->mask + (size_t)layer * T * T;
    snprintf(cap, sizeof cap, "layer %d: adversary's mask, %.1f%% masked", layer,
             100.0 * a->masked_fraction[layer]);
    draw_colour(cr, (viz_rgb){0, 0, 0});
    draw_text(cr, m.x, m.y - HEADER / 2.0, cap, 12, -1, 0);
    int ties = 0;
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (size_t i = 0; i < T; i++)
        for (size_t j = 0; j < T; j++) {
            float v = M[i * T + j];
            ties |= v != 0 && v != 1;
            draw_rect(cr, m.x + (double)j * g->cell, m.y + (double)i * g->cell, g->cell, g->cell,
                      v == 1 ? VIZ_KEPT : v == 0 ? VIZ_MASKED : VIZ_TIE);
        }
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    draw_labels(cr, g, m, labels, T);
    draw_legend(cr, m.x + m.w + 14, m.y, ties);
    return ASACL_OK;
}

asacl_status asacl_explain_png(const asacl_attention *a, const char *const *tokens,
                               const asacl_explain_options *options, const char *path)
{
    if (!a || !tokens || !path || !a->probs || !a->T)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_explain_png: NULL argument");
    asacl_explain_options o;
    if (options) o = *options;
    else asacl_explain_options_init(&o);
    if (o.layer >= 0 && (size_t)o.layer >= a->L)
        return rt_fail(ASACL_ERR_INVALID_ARG, "layer %d: the model has layers 0 to %zu", o.layer,
                       a->L - 1);
    if (o.head >= 0 && (size_t)o.head >= a->H)
        return rt_fail(ASACL_ERR_INVALID_ARG, "head %d: the model has heads 0 to %zu", o.head,
                       a->H - 1);
    size_t T = a->T, rows = o.layer >= 0 ? 1 : a->L, longest = 1;
    char (*labels)[64] = malloc(T * sizeof *labels);
    float *map = malloc(T * T * sizeof *map);
    if (!labels || !map) {
        free(labels);
        free(map);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "drawing %s", path);
    }
    for (size_t i = 0; i < T; i++) {
        size_t n;
        label_of(tokens[i] ? tokens[i] : "?", labels[i], sizeof labels[i], &n);
        if (n > longest) longest = n;
    }
    explain_layout g;
    explain_layout_compute(T, longest, rows, a->mask != NULL, 1, &g);
    asacl_status st = ASACL_OK;
    cairo_surface_t *s = draw_surface(g.width, g.height, path);
    if (!s) st = ASACL_ERR_OUT_OF_MEMORY;
    if (st == ASACL_OK) {
        cairo_t *cr = cairo_create(s);
        draw_colour(cr, (viz_rgb){0, 0, 0});
        draw_text(cr, MARGIN, MARGIN + 10, o.title ? o.title : "", 14, -1, 0);
        draw_colour(cr, (viz_rgb){0.35, 0.35, 0.35});
        draw_text(cr, MARGIN, MARGIN + 30,
                  "rows: query token, columns: key token; clean pass, dropout off", 11, -1, 0);
        for (size_t r = 0; r < rows && st == ASACL_OK; r++)
            st = draw_row(cr, &g, r, a, o.layer >= 0 ? o.layer : (int)r, o.head, labels, map);
        cairo_destroy(cr);
        if (st == ASACL_OK) st = draw_png_file(s, path);
        cairo_surface_destroy(s);
    }
    free(labels);
    free(map);
    return st;
}

#else

asacl_status asacl_explain_png(const asacl_attention *a, const char *const *tokens,
                               const asacl_explain_options *options, const char *path)
{
    (void)a, (void)tokens, (void)options;
    return viz_unsupported(path ? path : "asacl_explain_png");
}

#endif
