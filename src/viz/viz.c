/* viz.c -- what the pictures share: colours, the no-cairo answer. */
#include <math.h>
#include <stdio.h>

#include "runtime/runtime.h"
#include "viz/viz.h"

int asacl_have_cairo(void)
{
#ifdef ASACL_HAVE_CAIRO
    return 1;
#else
    return 0;
#endif
}

asacl_status viz_unsupported(const char *what)
{
    return rt_fail(ASACL_ERR_UNSUPPORTED, "%s: " VIZ_NO_CAIRO, what);
}

/* 8-bit values, so a PNG holds them exactly */
#define RGB8(r, g, b) {(r) / 255.0, (g) / 255.0, (b) / 255.0}
const viz_rgb VIZ_KEPT = RGB8(237, 237, 237);    /* light grey */
const viz_rgb VIZ_MASKED = RGB8(204, 30, 30);    /* red */
const viz_rgb VIZ_TIE = RGB8(242, 166, 51);      /* orange: A == 0, M = 0.5 */
const viz_rgb VIZ_BACKGROUND = {1.0, 1.0, 1.0};

/* White through light blue to dark blue, piecewise linear in four stops. */
viz_rgb viz_heat(double t)
{
    static const viz_rgb stop[4] = {
        {1.00, 1.00, 1.00}, {0.62, 0.79, 0.88}, {0.19, 0.51, 0.74}, {0.03, 0.19, 0.42}};
    if (!(t > 0)) t = 0; /* NaN too */
    if (t > 1) t = 1;
    double u = t * 3;
    int k = u >= 3 ? 2 : (int)u;
    double f = u - k;
    viz_rgb c = {stop[k].r + f * (stop[k + 1].r - stop[k].r),
                 stop[k].g + f * (stop[k + 1].g - stop[k].g),
                 stop[k].b + f * (stop[k + 1].b - stop[k].b)};
    return c;
}

viz_rgb viz_run_colour(size_t i)
{
    static const viz_rgb c[6] = {{0.12, 0.47, 0.71}, {0.85, 0.37, 0.01}, {0.17, 0.63, 0.17},
                                 {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}};
    return c[i % 6];
}

double viz_tick_step(double lo, double hi, int n)
{
    double span = hi - lo;
    if (!(span > 0)) return 1;
    double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

void viz_tick_label(double v, double step, char *buf, size_t cap)
{
    if (fabs(v) < step * 1e-6) v = 0;
    double a = fabs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e6)) {
        snprintf(buf, cap, "%.2g", v);
        return;
    }
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6) dec = 6;
    snprintf(buf, cap, "%.*f", dec, v);
}
