/* draw.h -- cairo helpers the figures share (only with ASACL_HAVE_CAIRO). */
#ifndef ASACL_VIZ_DRAW_H
#define ASACL_VIZ_DRAW_H

#include <cairo.h>

#include "viz/viz.h"

void draw_colour(cairo_t *cr, viz_rgb c);
/* Text with its anchor at (x, y): align -1 left, 0 centre, 1 right of x;
 * y is the middle of the text's height; angle in radians (rotation about the anchor). */
void draw_text(cairo_t *cr, double x, double y, const char *text, double size, int align,
               double angle);
/* A filled rectangle. */
void draw_rect(cairo_t *cr, double x, double y, double w, double h, viz_rgb c);
/* A fresh white ARGB surface; NULL (with the error set) on failure. */
cairo_surface_t *draw_surface(int width, int height, const char *what);
/* The surface as a PNG file (atomically) or as PNG bytes (malloc'd). */
asacl_status draw_png_file(cairo_surface_t *s, const char *path);
asacl_status draw_png_bytes(cairo_surface_t *s, unsigned char **png, size_t *size);
#endif
