/* shopapi._pricing: the basket total in C, with overflow checked (the part of the service that
 * needs a compiler to build, and only a C library to run). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* total_cents(prices) -> int: the sum of a sequence of non-negative integer prices in cents. */
static PyObject *total_cents(PyObject *self, PyObject *args) {
  PyObject *prices;
  if (!PyArg_ParseTuple(args, "O", &prices)) return NULL;
  PyObject *seq = PySequence_Fast(prices, "total_cents expects a sequence of prices");
  if (seq == NULL) return NULL;
  long long total = 0;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  for (Py_ssize_t i = 0; i < n; ++i) {
    long long price = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
    if (price == -1 && PyErr_Occurred()) {
      Py_DECREF(seq);
      return NULL;
    }
    if (price < 0) {
      Py_DECREF(seq);
      return PyErr_Format(PyExc_ValueError, "price %lld is negative", price);
    }
    if (__builtin_add_overflow(total, price, &total)) {
      Py_DECREF(seq);
      return PyErr_Format(PyExc_OverflowError, "basket total does not fit in 64 bits");
    }
  }
  Py_DECREF(seq);
  return PyLong_FromLongLong(total);
}

static PyMethodDef methods[] = {
    {"total_cents", total_cents, METH_VARARGS, "Sum of non-negative integer prices in cents."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "shopapi._pricing",
                                    "Basket arithmetic in C.", -1, methods};

PyMODINIT_FUNC PyInit__pricing(void) { return PyModule_Create(&module); }
