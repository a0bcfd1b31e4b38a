/* fuzz_catalog.c: libFuzzer target for the gateway answer path: jsonx_parse
 * then every decoder, exactly as the kiosk runs them on a body it received.
 * The decoders may reject, but must never crash or leak. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonx.h"
#include "model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	json_t *root = jsonx_parse((const char *)data, size, err, sizeof err);
	struct catalog c;
	struct service s;
	struct problem p;
	size_t i, k;

	if (!root) {
		if (!err[0])
			abort();
		return 0;
	}
	if (catalog_decode(root, &c, err, sizeof err) == 0) {
		/* Every index the decoder hands out must be in range. */
		for (i = 0; i < c.n_svcs; i++) {
			if (c.svcs[i].cat >= c.n_cats ||
			    catalog_find(&c, c.svcs[i].id) != (long)i)
				abort();
		}
		for (i = 0; i < c.n_cats; i++)
			for (k = 0; k < c.cats[i].n_svc; k++)
				if (c.cats[i].svc[k] >= c.n_svcs)
					abort();
		for (i = 0; i < c.n_popular; i++)
			if (c.popular[i] >= c.n_svcs)
				abort();
		catalog_free(&c);
	} else if (!err[0]) {
		abort();
	}
	err[0] = '\0';
	if (service_decode(root, &s, err, sizeof err) == 0) {
		for (i = 0; i < s.form.n_fields; i++)
			if (s.form.fields[i].type == FIELD_SELECT && s.form.fields[i].n_options == 0)
				abort();
		service_free(&s);
	} else if (!err[0]) {
		abort();
	}
	if (problem_decode(root, 500, &p, err, sizeof err) == 0)
		problem_free(&p);
	json_decref(root);
	return 0;
}
