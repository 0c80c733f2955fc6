/* Reads polygons from stdin and prints what pycocotools' maskApi makes of
 * them, one line each: compressed RLE string, area, toBbox (4 numbers), and
 * for odd lines the IoU with the previous polygon's mask (crowd flag given).
 * Input: N, then per polygon "h w crowd k x1 y1 ... xk yk".
 * Build: cc -O2 -I COCOAPI/common frpoly-driver.c COCOAPI/common/maskApi.c -lm */
#include <stdio.h>
#include <stdlib.h>
#include "maskApi.h"

int main(void) {
  int n; if (scanf("%d", &n) != 1) return 1;
  RLE prev; int have = 0;
  for (int i = 0; i < n; i++) {
    unsigned long h, w; int crowd; unsigned long k;
    if (scanf("%lu %lu %d %lu", &h, &w, &crowd, &k) != 4) return 1;
    double *xy = malloc(sizeof(double) * 2 * (k ? k : 1));
    for (unsigned long j = 0; j < 2 * k; j++) if (scanf("%lf", &xy[j]) != 1) return 1;
    RLE R; rleFrPoly(&R, xy, k, h, w);
    char *s = rleToString(&R);
    uint a; rleArea(&R, 1, &a);
    double bb[4]; rleToBbox(&R, bb, 1);
    printf("%s %u %.17g %.17g %.17g %.17g", s, a, bb[0], bb[1], bb[2], bb[3]);
    if (i % 2 == 1 && have) {
      double o; byte c = (byte)crowd;
      rleIou(&R, &prev, 1, 1, &c, &o);
      printf(" %.17g", o);
    }
    printf("\n");
    free(s); free(xy);
    if (have) rleFree(&prev);
    prev = R; have = 1;
  }
  return 0;
}
