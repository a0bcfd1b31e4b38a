/* fuzz_pnm.c: libFuzzer target for pnm_parse (the images:DIR scanner reads
 * whatever files appear in its folder), and qr_decode on what it returns
 * when the picture is small enough to keep the run fast. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qrcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[96];
	int w = -1, h = -1;
	/* A copy of exactly `size` bytes, so ASan catches any read past it. */
	unsigned char *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	unsigned char *g = pnm_parse(copy, size, &w, &h, err, sizeof err);
	if (!g) {
		if (err[0] == '\0' || w != 0 || h != 0)
			abort(); /* every failure has a reason, and no size */
	} else {
		if (w <= 0 || h <= 0 || w > 8192 || h > 8192)
			abort();
		/* Touch every pixel so ASan checks the whole buffer. */
		unsigned sum = 0;
		for (size_t i = 0; i < (size_t)w * h; i++)
			sum += g[i];
		(void)sum;
		if ((size_t)w * h <= 96 * 96) {
			size_t len = 0;
			char *code = qr_decode(g, w, h, &len);
			if (code && code[len] != '\0')
				abort();
			free(code);
		}
		free(g);
	}
	free(copy);
	return 0;
}
