/* test_viz.c -- the pictures, checked by their content (no device needed):
 * an explain figure drawn from known maps and a known mask, read back as
 * pixels (every cell in its colour at its place); curves of synthetic runs
 * (a curve's pixels at each point's height, rising where the metric rises);
 * the run report (its tables, the embedded PNG decoded); the reading of
 * metrics.jsonl (resumed runs, bad lines). Built without cairo, the calls
 * must say how to get it. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "viz/viz.h"
#ifdef ASACL_HAVE_CAIRO
#include <cairo.h>
#endif

static char tmp[256];

static void write_text(const char *dir, const char *file, const char *text)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    s[n] = 0;
    fclose(f);
    return s;
}

/* Two runs: "rise" (dev accuracy up to step 50, then down; ASA) and "flat" (no ASA). */
static void make_runs(char *rise, char *flat, size_t cap)
{
    snprintf(rise, cap, "%s/rise", tmp);
    snprintf(flat, cap, "%s/flat", tmp);
    mkdir(rise, 0777);
    mkdir(flat, 0777);
    char *m = malloc(65536);
    size_t k = 0;
    for (int s = 10; s <= 100; s += 10) {
        k += (size_t)snprintf(m + k, 65536 - k,
                              "{\"step\": %d, \"epoch\": 0, \"loss\": %g, \"task\": %g, \"vloss\": %g, "
                              "\"rloss\": 10, \"total\": 1, \"lr\": %g, \"train_accuracy\": 0.5, "
                              "\"tokens_per_second\": 100, \"masked_fraction\": [%g, %g]}\n",
                              s, 1.0 - s / 200.0, 0.9 - s / 200.0, 0.1, 1e-3 * (1 - s / 100.0),
                              0.5 - s / 250.0, 0.3 - s / 400.0);
        double acc = s <= 50 ? 0.5 + 0.4 * (s - 10) / 40.0 : 0.9 - 0.3 * (s - 50) / 50.0;
        if (s % 20 == 10 || s == 50 || s == 100)
            k += (size_t)snprintf(m + k, 65536 - k, "{\"eval\": \"dev\", \"step\": %d, \"epoch\": 0, "
                                  "\"n\": 100, \"accuracy\": %.6f, \"f1\": 0.5, \"mcc\": 0.1}\n",
                                  s, acc);
    }
    write_text(rise, "metrics.jsonl", m);
    k = 0;
    for (int s = 10; s <= 60; s += 10)
        k += (size_t)snprintf(m + k, 65536 - k,
                              "{\"step\": %d, \"task\": 0.7, \"vloss\": 0, \"lr\": 5e-4, "
                              "\"masked_fraction\": [0, 0]}\n{\"eval\": \"dev\", \"step\": %d, "
                              "\"accuracy\": 0.45}\n", s, s);
    write_text(flat, "metrics.jsonl", m);
    free(m);
}

static void test_run_reading(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/resumed", tmp);
    mkdir(dir, 0777);
    /* steps 1..3, then a resume from step 2 rewrites 2..3; an unfinished line at the end */
    write_text(dir, "metrics.jsonl",
               "{\"step\": 1, \"task\": 1.0, \"vloss\": 0.5, \"lr\": 1, \"masked_fraction\": [0.5]}\n"
               "{\"step\": 2, \"task\": 2.0, \"vloss\": 0.5, \"lr\": 1, \"masked_fraction\": [0.5]}\n"
               "{\"eval\": \"dev\", \"step\": 2, \"accuracy\": 0.7}\n"
               "{\"step\": 3, \"task\": 3.0, \"vloss\": 0.5, \"lr\": 1, \"masked_fraction\": [0.5]}\n"
               "\n"
               "{\"step\": 2, \"task\": 20.0, \"vloss\": 0.5, \"lr\": 1, \"masked_fraction\": [0.25]}\n"
               "{\"eval\": \"dev-shift\", \"step\": 2, \"pearson\": 0.1}\n"
               "{\"step\": 3, \"task\": 30.0, \"vloss\": 0.5, \"lr\": 1, \"masked_fraction\": [0.5]}\n"
               "{\"step\": 4, \"task\": 4");
    viz_run r;
    CHECK_OK(viz_run_read(dir, NULL, &r));
    CHECK(!strcmp(r.name, "resumed"), "name %s", r.name);
    CHECK(r.task.n == 3 && r.task.y[0] == 1 && r.task.y[1] == 20 && r.task.y[2] == 30,
          "resumed series: n %zu", r.task.n);
    CHECK(r.layers == 1 && r.masked[0].n == 3 && r.masked[0].y[1] == 0.25, "masked series");
    CHECK(r.n_splits == 2 && !strcmp(r.split[1], "dev-shift") && !strcmp(r.metric[1], "pearson") &&
          !strcmp(r.metric[0], "accuracy") && r.eval[0].n == 1 && r.eval[0].y[0] == 0.7,
          "eval splits");
    CHECK(r.any_asa, "vloss 0.5 is ASA");
    viz_run_free(&r);

    write_text(dir, "metrics.jsonl", "{\"step\": 1, \"task\": 1}\nnot json\n");
    asacl_status st = viz_run_read(dir, NULL, &r);
    CHECK(st == ASACL_ERR_FORMAT && strstr(asacl_last_error(), "metrics.jsonl:2"),
          "bad line: %s (%s)", asacl_status_str(st), asacl_last_error());
}

#ifdef ASACL_HAVE_CAIRO

typedef struct image {
    int w, h, stride;
    unsigned char *px;
    cairo_surface_t *s;
} image;

static int image_read(const char *path, image *im)
{
    im->s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(im->s) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "%s: %s\n", path, cairo_status_to_string(cairo_surface_status(im->s)));
        cairo_surface_destroy(im->s);
        return 0;
    }
    cairo_surface_flush(im->s);
    im->w = cairo_image_surface_get_width(im->s);
    im->h = cairo_image_surface_get_height(im->s);
    im->stride = cairo_image_surface_get_stride(im->s);
    im->px = cairo_image_surface_get_data(im->s);
    return 1;
}

/* The pixel at (x, y) as 0..255 channels (opaque images: no premultiplying to undo). */
static void pixel(const image *im, int x, int y, int rgb[3])
{
    uint32_t v = *(const uint32_t *)(im->px + (size_t)y * (size_t)im->stride + (size_t)x * 4);
    rgb[0] = (int)(v >> 16 & 255);
    rgb[1] = (int)(v >> 8 & 255);
    rgb[2] = (int)(v & 255);
}

static int same_colour(const int rgb[3], viz_rgb c, int tol)
{
    int want[3] = {(int)(c.r * 255 + 0.5), (int)(c.g * 255 + 0.5), (int)(c.b * 255 + 0.5)};
    for (int k = 0; k < 3; k++)
        if (abs(rgb[k] - want[k]) > tol) return 0;
    return 1;
}

/* T = 5, 2 layers, 2 heads: each head's rows a known distribution; masks
 * with an asymmetric pattern (and one A = 0 tie) so a transposed or shifted
 * drawing fails. */
static void test_explain_png(void)
{
    enum { T = 5, L = 2, H = 2 };
    float probs[L * H * T * T], mask[L * T * T];
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++)
            for (int i = 0; i < T; i++) {
                double s = 0, w[T];
                for (int j = 0; j < T; j++) s += w[j] = 1 + ((i + 2 * j + 3 * h + 5 * l) % 7);
                for (int j = 0; j < T; j++) probs[((l * H + h) * T + i) * T + j] = (float)(w[j] / s);
            }
    for (int l = 0; l < L; l++)
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++)
                mask[(l * T + i) * T + j] = (i + l) % 5 == 2 * j % 5 ? 0.0f : (j > i + l ? 1.0f : 0.0f);
    mask[(1 * T + 0) * T + 4] = 0.5f;
    asacl_attention a = {T, L, H, probs, mask, {0.5, 0.25}, {0}, 2};
    const char *tok[T] = {"[CLS]", "kubrick", "was", "##n't", "[SEP]"};
    char path[1100];
    snprintf(path, sizeof path, "%s/explain.png", tmp);
    CHECK_OK(asacl_explain_png(&a, tok, NULL, path));
    image im;
    if (!image_read(path, &im)) {
        CHECK(0, "cannot read %s", path);
        return;
    }
    explain_layout g;
    explain_layout_compute(T, 7 /* "kubrick" */, L, 1, 1, &g);
    CHECK(im.w == g.width && im.h == g.height, "explain: %d x %d, layout %d x %d", im.w, im.h,
          g.width, g.height);
    int bad_heat = 0, bad_mask = 0, masked_cells = 0;
    for (int l = 0; l < L && im.w == g.width && im.h == g.height; l++) {
        float map[T * T], vmax = 0;
        CHECK_OK(asacl_attention_map(&a, l, -1, map));
        for (int e = 0; e < T * T; e++) vmax = map[e] > vmax ? map[e] : vmax;
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                int rgb[3];
                int cx = (int)(g.heat[l].x + (j + 0.5) * g.cell), cy = (int)(g.heat[l].y + (i + 0.5) * g.cell);
                pixel(&im, cx, cy, rgb);
                if (!same_colour(rgb, viz_heat(map[i * T + j] / vmax), 1)) {
                    if (bad_heat++ < 5)
                        fprintf(stderr, "layer %d heat cell (%d,%d): %d %d %d\n", l, i, j, rgb[0],
                                rgb[1], rgb[2]);
                }
                float v = mask[(l * T + i) * T + j];
                viz_rgb want = v == 1 ? VIZ_KEPT : v == 0 ? VIZ_MASKED : VIZ_TIE;
                masked_cells += v == 0;
                /* the whole cell, not only its centre, is the mask's colour */
                for (int dy = 1; dy < (int)g.cell - 1; dy += 3)
                    for (int dx = 1; dx < (int)g.cell - 1; dx += 3) {
                        pixel(&im, (int)(g.mask[l].x + j * g.cell) + dx, (int)(g.mask[l].y + i * g.cell) + dy, rgb);
                        if (!same_colour(rgb, want, 1) && bad_mask++ < 5)
                            fprintf(stderr, "layer %d mask cell (%d,%d)+(%d,%d): %d %d %d, want %s\n",
                                    l, i, j, dx, dy, rgb[0], rgb[1], rgb[2],
                                    v == 1 ? "kept" : v == 0 ? "masked" : "tie");
                    }
            }
    }
    CHECK(bad_heat == 0, "%d heat cells in the wrong colour", bad_heat);
    CHECK(bad_mask == 0, "%d mask pixels in the wrong colour", bad_mask);
    CHECK(masked_cells > 5, "the test mask masks %d cells", masked_cells);
    /* Nothing between the cells of the mask panel is drawn in the masked
     * colour except the cells (and the legend's swatch, right of the panel). */
    int stray = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++) {
            int rgb[3];
            pixel(&im, x, y, rgb);
            if (!same_colour(rgb, VIZ_MASKED, 1)) continue;
            int inside = 0;
            for (int l = 0; l < L; l++) {
                viz_rect r = g.mask[l];
                if (x >= r.x && x < r.x + r.w) {
                    int i = (int)((y - r.y) / g.cell), j = (int)((x - r.x) / g.cell);
                    if (y >= r.y && y < r.y + r.h && mask[(l * T + i) * T + j] == 0) inside = 1;
                }
                if (x >= r.x + r.w + 10 && y >= r.y && y < r.y + 60) inside = 1; /* legend */
            }
            stray += !inside;
        }
    CHECK(stray == 0, "%d pixels in the masked colour outside masked cells", stray);
    cairo_surface_destroy(im.s);

    /* One layer, one head, no mask: one row, the head's own map. */
    a.mask = NULL;
    asacl_explain_options o;
    asacl_explain_options_init(&o);
    o.layer = 1;
    o.head = 1;
    CHECK_OK(asacl_explain_png(&a, tok, &o, path));
    if (image_read(path, &im)) {
        explain_layout_compute(T, 7, 1, 0, 1, &g);
        CHECK(im.w == g.width && im.h == g.height, "one layer: %d x %d, layout %d x %d", im.w,
              im.h, g.width, g.height);
        float vmax = 0;
        const float *m = probs + (1 * H + 1) * T * T;
        for (int e = 0; e < T * T; e++) vmax = m[e] > vmax ? m[e] : vmax;
        int bad = 0;
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                int rgb[3];
                pixel(&im, (int)(g.heat[0].x + (j + 0.5) * g.cell), (int)(g.heat[0].y + (i + 0.5) * g.cell), rgb);
                bad += !same_colour(rgb, viz_heat(m[i * T + j] / vmax), 1);
            }
        CHECK(bad == 0, "layer 1 head 1: %d cells in the wrong colour", bad);
        cairo_surface_destroy(im.s);
    }
    o.layer = 2;
    CHECK(asacl_explain_png(&a, tok, &o, path) == ASACL_ERR_INVALID_ARG, "layer 2 of 2");
}

/* Pixels of colour c in column x of panel p: their mean row, or -1. */
static double column_mean(const image *im, const viz_rect *r, int x, viz_rgb c)
{
    double sum = 0;
    int n = 0;
    for (int y = (int)r->y + 1; y < (int)(r->y + r->h) - 1; y++) {
        int rgb[3];
        pixel(im, x, y, rgb);
        if (same_colour(rgb, c, 40)) {
            sum += y;
            n++;
        }
    }
    return n ? sum / n : -1;
}

static void test_curves(const char *rise, const char *flat)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/curves.png", tmp);
    const char *dirs[2] = {rise, flat};
    CHECK_OK(asacl_plot_runs(dirs, 2, NULL, path));
    image im;
    if (!image_read(path, &im)) {
        CHECK(0, "cannot read %s", path);
        return;
    }
    viz_run runs[2];
    REQUIRE_OK(viz_run_read(rise, NULL, &runs[0]));
    REQUIRE_OK(viz_run_read(flat, NULL, &runs[1]));
    curves_layout g;
    curves_layout_compute(runs, 2, &g);
    CHECK(im.w == g.width && im.h == g.height, "curves: %d x %d, layout %d x %d", im.w, im.h,
          g.width, g.height);
    CHECK(g.x1[VIZ_PANEL_METRIC] >= 100 && g.y0[VIZ_PANEL_METRIC] <= 0.5 &&
          g.y1[VIZ_PANEL_METRIC] >= 0.9, "metric ranges");
    /* The dev metric of run 0 at each evaluation: the curve passes at the point's height. */
    const viz_series *dev = &runs[0].eval[0];
    const viz_rect *r = &g.plot[VIZ_PANEL_METRIC];
    double prev_y = 0;
    for (size_t k = 0; k < dev->n; k++) {
        int x = (int)curves_px(&g, VIZ_PANEL_METRIC, dev->x[k]);
        if (x > (int)(r->x + r->w) - 3) x = (int)(r->x + r->w) - 3; /* the last point, at the edge */
        double want = curves_py(&g, VIZ_PANEL_METRIC, dev->y[k]);
        double got = column_mean(&im, r, x, viz_run_colour(0));
        CHECK(got >= 0 && fabs(got - want) < 4, "dev at step %g: the curve at row %.1f, want %.1f",
              dev->x[k], got, want);
        /* up on the page (smaller row) exactly where the metric rises */
        if (k > 0)
            CHECK((dev->y[k] > dev->y[k - 1]) == (got < prev_y), "step %g: metric %s, curve %s",
                  dev->x[k], dev->y[k] > dev->y[k - 1] ? "rises" : "falls",
                  got < prev_y ? "rises" : "falls");
        prev_y = got;
    }
    /* Between two evaluations the line runs between them (the middle column). */
    int xm = (int)curves_px(&g, VIZ_PANEL_METRIC, 20);
    double ym = column_mean(&im, r, xm, viz_run_colour(0));
    double y10 = curves_py(&g, VIZ_PANEL_METRIC, dev->y[0]), y30 = curves_py(&g, VIZ_PANEL_METRIC, dev->y[1]);
    CHECK(ym < y10 && ym > y30, "step 20: row %.1f between %.1f and %.1f", ym, y10, y30);
    /* Run 1 (flat at 0.45, steps 10-60) in its own colour, nothing past step 60. */
    int x40 = (int)curves_px(&g, VIZ_PANEL_METRIC, 40), x90 = (int)curves_px(&g, VIZ_PANEL_METRIC, 90);
    double y40 = column_mean(&im, r, x40, viz_run_colour(1));
    CHECK(fabs(y40 - curves_py(&g, VIZ_PANEL_METRIC, 0.45)) < 4, "flat run at step 40: row %.1f", y40);
    CHECK(column_mean(&im, r, x90, viz_run_colour(1)) < 0, "flat run drawn past its last step");
    /* The learning rate falls: run 0's curve goes down the page. */
    const viz_rect *lr = &g.plot[VIZ_PANEL_LR];
    double a = column_mean(&im, lr, (int)curves_px(&g, VIZ_PANEL_LR, 20), viz_run_colour(0)),
           b = column_mean(&im, lr, (int)curves_px(&g, VIZ_PANEL_LR, 80), viz_run_colour(0));
    CHECK(a >= 0 && b > a + 20, "learning rate rows %.1f then %.1f", a, b);
    /* The no-ASA run draws no masked fraction. */
    const viz_rect *mf = &g.plot[VIZ_PANEL_MASKED];
    CHECK(column_mean(&im, mf, (int)curves_px(&g, VIZ_PANEL_MASKED, 30), viz_run_colour(1)) < 0,
          "masked fraction drawn for a run without ASA");
    CHECK(column_mean(&im, mf, (int)curves_px(&g, VIZ_PANEL_MASKED, 30), viz_run_colour(0)) >= 0,
          "no masked fraction for the ASA run");
    cairo_surface_destroy(im.s);
    viz_run_free(&runs[0]);
    viz_run_free(&runs[1]);

    const char *none[1] = {"/nonexistent-run"};
    asacl_status st = asacl_plot_runs(none, 1, NULL, path);
    CHECK(st == ASACL_ERR_IO && strstr(asacl_last_error(), "metrics.jsonl"), "missing run: %s",
          asacl_last_error());
}

typedef struct b64 {
    const unsigned char *d;
    size_t n, at;
} b64;

static cairo_status_t b64_read(void *user, unsigned char *out, unsigned int len)
{
    b64 *b = user;
    if (b->at + len > b->n) return CAIRO_STATUS_READ_ERROR;
    memcpy(out, b->d + b->at, len);
    b->at += len;
    return CAIRO_STATUS_SUCCESS;
}

static size_t b64_decode(const char *s, unsigned char *out)
{
    size_t n = 0;
    unsigned v = 0;
    int bits = 0;
    for (; *s && *s != '"' && *s != '='; s++) {
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *p = strchr(a, *s);
        if (!p) return 0;
        v = v << 6 | (unsigned)(p - a);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(v >> bits);
        }
    }
    return n;
}

static void test_report(const char *rise)
{
    write_text(rise, "settings.json", "{\"task\": \"builtin\", \"lr\": 0.001, \"tau\": 0.5, "
                                      "\"device\": \"Test <Device>\", \"profile\": \"shipped:x.json\"}");
    write_text(rise, "summary.json", "{\"steps\": 100, \"dev_accuracy_final\": 0.6}");
    CHECK_OK(asacl_report_write(rise));
    char path[1100];
    snprintf(path, sizeof path, "%s/report.html", rise);
    char *html = read_text(path);
    if (!html) {
        CHECK(0, "no %s", path);
        return;
    }
    CHECK(strstr(html, "<th>tau</th><td>0.5</td>") && strstr(html, "<th>task</th><td>builtin</td>"),
          "settings table");
    CHECK(strstr(html, "Test &lt;Device&gt;") && strstr(html, "shipped:x.json"), "device, escaped");
    CHECK(strstr(html, "<th>dev_accuracy_final</th><td>0.6</td>"), "summary table");
    /* best dev: 0.9 at step 50, last 0.6 at 100 */
    CHECK(strstr(html, "<td>dev</td><td>accuracy</td><td>0.9000</td><td>50</td><td>0.6000</td><td>100</td>"),
          "best dev scores");
    CHECK(!strstr(html, "http://") && !strstr(html, "https://"), "the page refers to the network");
    const char *img = strstr(html, "data:image/png;base64,");
    CHECK(img != NULL, "no embedded PNG");
    if (img) {
        img += strlen("data:image/png;base64,");
        unsigned char *png = malloc(strlen(img));
        b64 b = {png, b64_decode(img, png), 0};
        cairo_surface_t *s = cairo_image_surface_create_from_png_stream(b64_read, &b);
        CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
              cairo_image_surface_get_width(s) == 1200 && cairo_image_surface_get_height(s) == 860,
              "embedded PNG: %s, %d x %d", cairo_status_to_string(cairo_surface_status(s)),
              cairo_image_surface_get_width(s), cairo_image_surface_get_height(s));
        cairo_surface_destroy(s);
        free(png);
    }
    free(html);
    /* A run folder with nothing yet: a page that says so. */
    char empty[512];
    snprintf(empty, sizeof empty, "%s/empty", tmp);
    mkdir(empty, 0777);
    CHECK_OK(asacl_report_write(empty));
    snprintf(path, sizeof path, "%s/report.html", empty);
    html = read_text(path);
    CHECK(html && strstr(html, "No evaluation yet") && strstr(html, "No summary.json yet"),
          "empty run's page");
    free(html);
}

#else

static void test_without_cairo(const char *rise)
{
    CHECK(!asacl_have_cairo(), "built without cairo");
    const char *dirs[1] = {rise};
    char path[1100];
    snprintf(path, sizeof path, "%s/curves.png", tmp);
    asacl_status st = asacl_plot_runs(dirs, 1, NULL, path);
    CHECK(st == ASACL_ERR_UNSUPPORTED && strstr(asacl_last_error(), "libcairo2-dev"),
          "plot without cairo: %s: %s", asacl_status_str(st), asacl_last_error());
    asacl_attention a = {0};
    st = asacl_explain_png(&a, NULL, NULL, path);
    CHECK(st == ASACL_ERR_UNSUPPORTED && strstr(asacl_last_error(), "libcairo2-dev"),
          "explain without cairo: %s", asacl_last_error());
    CHECK_OK(asacl_report_write(rise));
    snprintf(path, sizeof path, "%s/report.html", rise);
    char *html = read_text(path);
    CHECK(html && strstr(html, "libcairo2-dev") && !strstr(html, "data:image/png"),
          "report without cairo says how to get the curves");
    free(html);
}

#endif

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/asacl-test-viz-XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    char rise[512], flat[512];
    make_runs(rise, flat, sizeof rise);
    test_run_reading();
#ifdef ASACL_HAVE_CAIRO
    CHECK(asacl_have_cairo(), "built with cairo");
    test_explain_png();
    test_curves(rise, flat);
    test_report(rise);
#else
    test_without_cairo(rise);
#endif
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (test_failures == 0 && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    return test_finish("test_viz");
}
