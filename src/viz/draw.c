/* draw.c -- cairo helpers (draw.h); empty without cairo. */
#ifdef ASACL_HAVE_CAIRO
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "viz/draw.h"

void draw_colour(cairo_t *cr, viz_rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

void draw_text(cairo_t *cr, double x, double y, const char *text, double size, int align,
               double angle)
{
    cairo_save(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, text, &e);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    double dx = align < 0 ? 0 : align == 0 ? -e.x_advance / 2 : -e.x_advance;
    /* centre vertically on the height of capitals, whatever the string holds */
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    cairo_move_to(cr, dx, (fe.ascent - fe.descent) / 2);
    cairo_show_text(cr, text);
    cairo_restore(cr);
}

void draw_rect(cairo_t *cr, double x, double y, double w, double h, viz_rgb c)
{
    draw_colour(cr, c);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

cairo_surface_t *draw_surface(int width, int height, const char *what)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        rt_fail(ASACL_ERR_OUT_OF_MEMORY, "%s: a %d x %d image: %s", what, width, height,
                cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_t *cr = cairo_create(s);
    draw_rect(cr, 0, 0, width, height, VIZ_BACKGROUND);
    cairo_destroy(cr);
    return s;
}

typedef struct png_buf {
    unsigned char *data;
    size_t n, cap;
} png_buf;

static cairo_status_t png_append(void *user, const unsigned char *data, unsigned int n)
{
    png_buf *b = user;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->n + n) cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) return CAIRO_STATUS_NO_MEMORY;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->n, data, n);
    b->n += n;
    return CAIRO_STATUS_SUCCESS;
}

asacl_status draw_png_bytes(cairo_surface_t *s, unsigned char **png, size_t *size)
{
    png_buf b = {NULL, 0, 0};
    cairo_surface_flush(s);
    cairo_status_t cs = cairo_surface_write_to_png_stream(s, png_append, &b);
    if (cs != CAIRO_STATUS_SUCCESS) {
        free(b.data);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "encoding a PNG: %s", cairo_status_to_string(cs));
    }
    *png = b.data;
    *size = b.n;
    return ASACL_OK;
}

asacl_status draw_png_file(cairo_surface_t *s, const char *path)
{
    unsigned char *png = NULL;
    size_t n = 0;
    TRY(draw_png_bytes(s, &png, &n));
    asacl_status st = rt_write_file_atomic(path, png, n);
    free(png);
    return st;
}

#else
typedef int draw_without_cairo; /* ISO C: no empty translation unit */
#endif
