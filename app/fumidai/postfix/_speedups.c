/* The policy request parser in C: the one piece of the hot path where Python's per-line
 * cost dominates (a request has about 35 lines; the engine reads 6 of them).
 *
 * parse(block, names[, limits]) -> dict | None
 *   block: one request without its terminating empty line (bytes).
 *   names: a tuple of attribute names (str) to keep, or None for every attribute.
 *   limits: None, or a tuple of (name, maximum) pairs: the kept value of each such
 *     attribute must be empty or ASCII digits of at most that value.
 *   Returns None when the block is not a valid request; codec.py then runs the Python
 *   checks, which say why. The rules are codec.py's: no NUL, UTF-8, every line
 *   "name=value" with a non-empty name, lines of at most MAX_LINE bytes, at most
 *   MAX_ATTRIBUTES lines; a repeated attribute keeps its last value; numbers in range.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MAX_LINE 8192
#define MAX_ATTRIBUTES 128
#define MAX_NAMES 32

static int
is_ascii(const char *p, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if ((unsigned char)p[i] & 0x80) {
            return 0;
        }
    }
    return 1;
}

static int
set_item(PyObject *out, PyObject *key, const char *value, Py_ssize_t size)
{
    PyObject *v = PyUnicode_DecodeUTF8(value, size, NULL);
    if (v == NULL) {
        return -1;
    }
    int rc = PyDict_SetItem(out, key, v);
    Py_DECREF(v);
    return rc;
}

/* 1 when value (a str) is "" or ASCII digits worth at most maximum; 0 otherwise. */
static int
number_in_range(PyObject *value, unsigned long long maximum)
{
    if (!PyUnicode_IS_ASCII(value)) {
        return 0;
    }
    const unsigned char *p = PyUnicode_1BYTE_DATA(value);
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    unsigned long long total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return 0;
        }
        total = total * 10 + (p[i] - '0');
        if (total > maximum) {  /* checked every digit, and maximum < 2**60: never overflows */
            return 0;
        }
    }
    return 1;
}

/* 1 when every limited attribute present in out is in range, 0 if one is not, -1 on error. */
static int
numbers_in_range(PyObject *out, PyObject *limits)
{
    Py_ssize_t n = PyTuple_GET_SIZE(limits);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *pair = PyTuple_GET_ITEM(limits, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "limits: a tuple of (name, maximum) pairs");
            return -1;
        }
        PyObject *value = PyDict_GetItemWithError(out, PyTuple_GET_ITEM(pair, 0));
        if (value == NULL) {
            if (PyErr_Occurred()) {
                return -1;
            }
            continue;
        }
        unsigned long long maximum = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(pair, 1));
        if (maximum == (unsigned long long)-1 && PyErr_Occurred()) {
            return -1;
        }
        if (maximum >= (1ULL << 60)) {
            PyErr_SetString(PyExc_ValueError, "limits: a maximum must be below 2**60");
            return -1;
        }
        if (!number_in_range(value, maximum)) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
parse(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *limits = nargs == 3 ? args[2] : Py_None;
    if (nargs < 2 || nargs > 3 || !PyBytes_Check(args[0]) || (args[1] != Py_None && !PyTuple_Check(args[1]))
        || (limits != Py_None && !PyTuple_Check(limits))) {
        PyErr_SetString(PyExc_TypeError,
                        "parse(block: bytes, names: tuple[str, ...] | None, limits: tuple[tuple[str, int], ...] | None = None)");
        return NULL;
    }
    const char *buf = PyBytes_AS_STRING(args[0]);
    Py_ssize_t len = PyBytes_GET_SIZE(args[0]);
    PyObject *names = args[1];

    const char *wanted[MAX_NAMES];
    Py_ssize_t wanted_len[MAX_NAMES];
    Py_ssize_t nwanted = 0;
    if (names != Py_None) {
        nwanted = PyTuple_GET_SIZE(names);
        if (nwanted > MAX_NAMES) {
            PyErr_SetString(PyExc_ValueError, "too many attribute names");
            return NULL;
        }
        for (Py_ssize_t k = 0; k < nwanted; k++) {
            wanted[k] = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(names, k), &wanted_len[k]);
            if (wanted[k] == NULL) {
                return NULL;
            }
        }
    }

    if (len == 0 || memchr(buf, 0, len) != NULL) {
        Py_RETURN_NONE;
    }
    if (!is_ascii(buf, len)) {
        /* Splitting at "\n" and "=" never cuts a UTF-8 sequence: checking the whole block
         * once is enough for every piece. */
        PyObject *text = PyUnicode_DecodeUTF8(buf, len, NULL);
        if (text == NULL) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        Py_DECREF(text);
    }

    PyObject *out = PyDict_New();
    if (out == NULL) {
        return NULL;
    }
    const char *p = buf, *end = buf + len;
    int lines = 0;
    for (;;) {
        const char *newline = memchr(p, '\n', end - p);
        const char *line_end = newline ? newline : end;
        const char *eq = memchr(p, '=', line_end - p);
        if (++lines > MAX_ATTRIBUTES || line_end - p > MAX_LINE || eq == NULL || eq == p) {
            Py_DECREF(out);
            Py_RETURN_NONE;
        }
        Py_ssize_t name_len = eq - p;
        if (names == Py_None) {
            PyObject *key = PyUnicode_DecodeUTF8(p, name_len, NULL);
            if (key == NULL || set_item(out, key, eq + 1, line_end - eq - 1) < 0) {
                Py_XDECREF(key);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(key);
        }
        else {
            for (Py_ssize_t k = 0; k < nwanted; k++) {
                if (wanted_len[k] == name_len && memcmp(wanted[k], p, name_len) == 0) {
                    if (set_item(out, PyTuple_GET_ITEM(names, k), eq + 1, line_end - eq - 1) < 0) {
                        Py_DECREF(out);
                        return NULL;
                    }
                    break;
                }
            }
        }
        if (newline == NULL) {
            break;
        }
        p = newline + 1;
    }
    if (limits != Py_None) {
        int ok = numbers_in_range(out, limits);
        if (ok <= 0) {
            Py_DECREF(out);
            if (ok < 0) {
                return NULL;
            }
            Py_RETURN_NONE;
        }
    }
    return out;
}

static PyMethodDef methods[] = {
    {"parse", (PyCFunction)(void (*)(void))parse, METH_FASTCALL,
     "parse(block, names, limits=None) -> dict | None: the request's attributes (only ``names`` unless None); "
     "None if the block is not a valid request or a number in ``limits`` is out of range."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "Policy request parsing in C (see codec.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
