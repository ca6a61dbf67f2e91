/* The hot loop of the shared rate-limit counters (counters.py), in C.

   Every public query adds to about seven counters and reads each from every worker's segment. In Python
   that loop was a fifth of the query's bytecodes (docs/decisions/0011); here it is under a thousand
   instructions.
   counters.py keeps everything else: the file, its header, claiming a segment, the fallback counters.

   The layout is counters.py's: a segment is `slots` slots of two 64-bit words, the key's tag (never 0)
   and `end << 32 | count`. A key's probe run is the PROBES slots from its home slot (`tag & (slots - 1)`),
   wrapping within the segment. Only this worker writes its own segment; other workers' segments are read
   while their owners write them, a word at a time, with no lock. A new slot's count word is stored before
   its tag (release), and a tag is loaded before its count word (acquire), so that a reader that sees a
   tag sees the count written with it.

   Every index is checked against the mapping's length before anything is read or written. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define PROBES 16
#define COUNT_MASK UINT64_C(0xFFFFFFFF)

typedef struct {
    uint64_t *words;
    uint64_t last;  /* segment words - 1: a word offset within a segment wraps with it */
} Table;

static inline uint64_t load_tag(const uint64_t *word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }
static inline uint64_t load(const uint64_t *word) { return __atomic_load_n(word, __ATOMIC_RELAXED); }
static inline void store(uint64_t *word, uint64_t value) { __atomic_store_n(word, value, __ATOMIC_RELAXED); }
static inline void store_tag(uint64_t *word, uint64_t tag) { __atomic_store_n(word, tag, __ATOMIC_RELEASE); }

/* The word index of the key's slot in the run from `home` in the segment at `base`, or -1. A run ends at
   its first never-used slot: a key takes the first free slot of its run, and no slot is emptied again. */
static Py_ssize_t slot_of(const Table *table, uint64_t base, uint64_t home, uint64_t tag, uint64_t end)
{
    for (uint64_t probe = 0; probe < 2 * PROBES; probe += 2) {
        uint64_t index = base + ((home + probe) & table->last);
        uint64_t slot_tag = load_tag(&table->words[index]);
        if (slot_tag == 0)
            return -1;
        if (slot_tag == tag && load(&table->words[index + 1]) >> 32 == end)
            return (Py_ssize_t)index;
    }
    return -1;
}

static uint64_t read_count(const Table *table, uint64_t base, uint64_t home, uint64_t tag, uint64_t end)
{
    Py_ssize_t index = slot_of(table, base, home, tag, end);
    return index < 0 ? 0 : load(&table->words[index + 1]) & COUNT_MASK;
}

/* Add to the key's slot in this worker's own segment. A new key takes the first slot of its run whose
   window has ended (or that was never used), else the one with the smallest count: a flood of new keys
   pushes out the counters furthest from any limit. */
static uint64_t add_count(const Table *table, uint64_t base, uint64_t home, uint64_t tag, uint64_t end,
                          uint64_t amount, uint64_t now)
{
    uint64_t *words = table->words;
    Py_ssize_t found = slot_of(table, base, home, tag, end);
    if (found >= 0) {
        uint64_t value = load(&words[found + 1]) + amount;
        store(&words[found + 1], value);
        return value & COUNT_MASK;
    }
    if (amount == 0)  /* a count of 0 (the miss counter of a hit) takes no slot */
        return 0;
    uint64_t weakest = 0, weakest_count = COUNT_MASK + 1;
    for (uint64_t probe = 0; probe < 2 * PROBES; probe += 2) {
        uint64_t index = base + ((home + probe) & table->last);
        uint64_t value = load(&words[index + 1]);
        if (load(&words[index]) == 0 || value >> 32 <= now) {  /* never used, or its window has ended */
            weakest = index;
            break;
        }
        if ((value & COUNT_MASK) < weakest_count) {
            weakest = index;
            weakest_count = value & COUNT_MASK;
        }
    }
    store(&words[weakest + 1], end << 32 | amount);
    store_tag(&words[weakest], tag);
    return amount;
}

/* A Python int as an unsigned 64-bit word of at most `maximum`; -1 with an exception set otherwise.
   PyLong_AsUnsignedLong, not ...LongLong: in CPython 3.11 the latter goes through a byte array, five times
   the cost, for the same 64 bits on Linux. */
_Static_assert(sizeof(unsigned long) == 8, "an unsigned long holds a 64-bit word");

static int as_word(PyObject *number, uint64_t maximum, const char *what, uint64_t *word)
{
    unsigned long value = PyLong_AsUnsignedLong(number);
    if (value == (unsigned long)-1 && PyErr_Occurred()) {
        PyErr_Format(PyExc_ValueError, "%s must be an int from 0 to 2**64 - 1", what);
        return -1;
    }
    if (value > maximum) {
        PyErr_Format(PyExc_ValueError, "%s is out of range", what);
        return -1;
    }
    *word = value;
    return 0;
}

typedef struct {
    uint64_t end, tag, amount;
} Increment;

/* One ((end, tag), amount) pair of the caller's into `increment`; -1 with an exception set if malformed. */
static int parse_increment(PyObject *item, Increment *increment)
{
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        PyErr_SetString(PyExc_TypeError, "an increment is a ((end, tag), amount) pair");
        return -1;
    }
    PyObject *key = PyTuple_GET_ITEM(item, 0);
    if (!PyTuple_Check(key) || PyTuple_GET_SIZE(key) != 2) {
        PyErr_SetString(PyExc_TypeError, "a counter key is an (end, tag) pair");
        return -1;
    }
    if (as_word(PyTuple_GET_ITEM(key, 0), UINT32_MAX, "a window's end", &increment->end) < 0
        || as_word(PyTuple_GET_ITEM(key, 1), UINT64_MAX, "a tag", &increment->tag) < 0
        || as_word(PyTuple_GET_ITEM(item, 1), INT32_MAX, "an amount", &increment->amount) < 0)
        return -1;
    if (increment->tag == 0) {
        PyErr_SetString(PyExc_ValueError, "a tag is never 0: 0 marks a never-used slot");
        return -1;
    }
    return 0;
}

/* Every increment is checked before any is counted: a malformed call changes no counter. */
static PyObject *count_all(const Table *table, uint64_t own, const uint64_t *others, Py_ssize_t n_others,
                           PyObject *increments, uint64_t now)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(increments);
    PyObject **items = PySequence_Fast_ITEMS(increments);
    Increment on_stack[16];  /* a query makes about seven */
    Increment *parsed = n <= 16 ? on_stack : PyMem_New(Increment, n);
    if (parsed == NULL)
        return PyErr_NoMemory();
    PyObject *totals = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (parse_increment(items[i], &parsed[i]) < 0)
            goto done;
    }
    totals = PyDict_New();
    for (Py_ssize_t i = 0; totals != NULL && i < n; i++) {
        const Increment *increment = &parsed[i];
        uint64_t home = (2 * increment->tag) & table->last;  /* 2 * (tag mod slots) */
        uint64_t total = add_count(table, own, home, increment->tag, increment->end, increment->amount, now);
        for (Py_ssize_t other = 0; other < n_others; other++) {
            if (load_tag(&table->words[others[other] + home]) != 0)  /* else the key is not there */
                total += read_count(table, others[other], home, increment->tag, increment->end);
        }
        PyObject *total_object = PyLong_FromUnsignedLongLong(total);
        PyObject *key = PyTuple_GET_ITEM(items[i], 0);
        if (total_object == NULL || PyDict_SetItem(totals, key, total_object) < 0)
            Py_CLEAR(totals);
        Py_XDECREF(total_object);
    }
done:
    if (parsed != on_stack)
        PyMem_Free(parsed);
    return totals;
}

#define MAX_SEGMENTS 256

/* The word indexes of the segments numbered in `numbers`, into `bases`; -1 with an exception set when one
   is not a segment of the mapping or is this worker's own. */
static Py_ssize_t segment_bases(PyObject *numbers, Py_ssize_t first, Py_ssize_t segment_words,
                                Py_ssize_t segments, Py_ssize_t own, uint64_t *bases)
{
    PyObject *sequence = PySequence_Fast(numbers, "others must be a sequence of segment numbers");
    if (sequence == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(sequence);
    if (n > MAX_SEGMENTS) {
        PyErr_SetString(PyExc_ValueError, "too many segments");
        n = -1;
    }
    for (Py_ssize_t i = 0; i >= 0 && i < n; i++) {
        Py_ssize_t segment = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(sequence, i));
        if (segment == -1 && PyErr_Occurred()) {
            n = -1;
        } else if (segment < 0 || segment >= segments || segment == own) {
            PyErr_SetString(PyExc_ValueError, "the mapping holds no such segment");
            n = -1;
        } else {
            bases[i] = (uint64_t)(first + segment * segment_words);
        }
    }
    Py_DECREF(sequence);
    return n;
}

PyDoc_STRVAR(count_doc,
"count(mapping, first, segment_words, own, others, increments, now) -> dict\n\n"
"Add each ((end, tag), amount) of increments to its counter in segment own of the writable mapping, and\n"
"return each key's total over segment own and the segments numbered in others. first: the word index of\n"
"segment 0; segment_words: a segment's length in 64-bit words (a power of two); now: the current second.");

static PyObject *count(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "count takes 7 arguments");
        return NULL;
    }
    Py_ssize_t first = PyLong_AsSsize_t(args[1]);
    Py_ssize_t segment_words = PyLong_AsSsize_t(args[2]);
    Py_ssize_t own = PyLong_AsSsize_t(args[3]);
    long long now = PyLong_AsLongLong(args[6]);
    if (PyErr_Occurred())
        return NULL;
    if (segment_words < 2 * PROBES || (segment_words & (segment_words - 1)) || first < 0 || now < 0) {
        PyErr_SetString(PyExc_ValueError, "a segment is a power of two of at least 2 * PROBES words");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_WRITABLE) < 0)
        return NULL;
    PyObject *totals = NULL;
    uint64_t others[MAX_SEGMENTS];
    Py_ssize_t segments = ((Py_ssize_t)(view.len / 8) - first) / segment_words;
    if ((uintptr_t)view.buf % 8 || segments < 1 || own < 0 || own >= segments) {
        PyErr_SetString(PyExc_ValueError, "the mapping holds no such segment");
    } else {
        Py_ssize_t n_others = segment_bases(args[4], first, segment_words, segments, own, others);
        PyObject *increments = n_others < 0 ? NULL : PySequence_Fast(args[5], "increments must be a sequence");
        if (increments != NULL) {
            Table table = {(uint64_t *)view.buf, (uint64_t)segment_words - 1};
            totals = count_all(&table, (uint64_t)(first + own * segment_words), others, n_others, increments,
                               (uint64_t)now);
            Py_DECREF(increments);
        }
    }
    PyBuffer_Release(&view);
    return totals;
}

static PyMethodDef methods[] = {
    {"count", (PyCFunction)(void (*)(void))count, METH_FASTCALL, count_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_counting",
    .m_doc = "The shared rate-limit counters' hot loop (counters.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__counting(void)
{
    PyObject *created = PyModule_Create(&module);
    if (created != NULL && PyModule_AddIntConstant(created, "PROBES", PROBES) < 0) {
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
