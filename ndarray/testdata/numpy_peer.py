#!/usr/bin/python3
"""Test peer for the Go ndarray package, run by numpy_test.go.

  numpy_peer.py gen OUT    write msgpack-numpy encoded test values to OUT
  numpy_peer.py check IN   decode what Go wrote to IN and verify it

Everything is packed with msgpack_numpy.packb and unpacked with
msgpack_numpy.unpackb(..., object_hook=msgpack_numpy.decode), as Python Banyan
does in numpy mode. The outer container files are plain msgpack.
"""

import math
import sys

import msgpack
import msgpack_numpy as m
import numpy as np

NUMERIC = ['b1', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8',
           'f2', 'f4', 'f8', 'c8', 'c16']


def base_values(dt, n=24):
    """n deterministic values of dtype dt, including the extremes."""
    if dt.kind == 'b':
        return (np.arange(n) % 3 == 0).astype(dt)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        off = 50 if dt.kind == 'i' else 0
        vals = [info.min, info.max, 0, 1, info.max // 2, info.min // 2]
        vals += [(k * 37) % 100 - off for k in range(n - len(vals))]
        return np.array(vals, dtype=object).astype(dt)
    if dt.kind == 'f':
        info = np.finfo(dt)
        vals = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1.5, -2.25,
                float(info.tiny), float(info.max), float(info.min)]
        vals += [k * 0.1 - 0.7 for k in range(n - len(vals))]
        return np.array(vals).astype(dt)
    if dt.kind == 'c':
        re = base_values(np.dtype(dt.byteorder + 'f%d' % (dt.itemsize // 2)), n)
        im = re[::-1]
        out = np.empty(n, dtype=dt)
        out.real = re
        out.imag = im
        return out
    raise ValueError(dt)


def flat_values(x):
    """Plain-msgpack representation of the values of an array or scalar,
    flattened in C order, or None when they are not comparable."""
    a = np.asarray(x)
    k = a.dtype.kind
    if k in 'biu':
        return [v.item() if hasattr(v, 'item') else v for v in a.ravel().tolist()]
    if k == 'f':
        if a.dtype.itemsize > 8:
            return None
        return [float(v) for v in a.ravel().tolist()]
    if k == 'c':
        out = []
        for v in a.ravel().tolist():
            out += [v.real, v.imag]
        return out
    if k in 'SU':
        return a.ravel().tolist()
    if k in 'Mm':
        return a.astype('int64').ravel().tolist()
    return None


def aligned():
    """An aligned structured array; built on zeros so the padding is
    deterministic (np.array leaves it uninitialised)."""
    a = np.zeros(2, dtype=np.dtype([('a', 'u1'), ('b', '<i4')], align=True))
    a['a'] = [1, 3]
    a['b'] = [2, -4]
    return a


def cases():
    """Deterministic (name, object) pairs: every dtype and shape we test."""
    out = []
    # Every numeric dtype, both byte orders, 3-D.
    for code in NUMERIC:
        orders = '|' if code in ('b1', 'i1', 'u1') else '<>'
        for o in orders:
            dt = np.dtype(o + code)
            out.append(('%s 2x3x4' % dt.str, base_values(dt).reshape(2, 3, 4)))
    f8 = np.arange(24, dtype='<f8') * 1.25 - 3
    out += [
        ('0-d f8', np.array(3.5)),
        ('0-d >i4', np.array(-7, dtype='>i4')),
        ('empty (0,)', np.zeros((0,), dtype='<f8')),
        ('empty (0,3) u2', np.zeros((0, 3), dtype='<u2')),
        ('empty (2,0,3) >c8', np.zeros((2, 0, 3), dtype='>c8')),
        ('1-D', f8.copy()),
        ('2-D', f8.reshape(4, 6)),
        ('3-D', f8.reshape(2, 3, 4)),
        ('4-D', f8.reshape(2, 1, 3, 4)),
        ('4-D >i8', (np.arange(24) - 12).astype('>i8').reshape(2, 3, 2, 2)),
        ('transposed', np.arange(12, dtype='<i4').reshape(3, 4).T),
        ('sliced', f8[::3]),
        ('sliced 2-D', f8.reshape(4, 6)[1:3, ::2]),
        ('fortran', np.asfortranarray(np.arange(6, dtype='|u1').reshape(2, 3))),
        ('negative strides', np.arange(10, dtype='<i2')[::-1]),
        ('4 MiB', np.arange(512 * 1024, dtype='<f8') * 0.5 - 7),
        ('unicode <U3', np.array(['ab', '', 'héé', 'x\U0001f600'], dtype='<U3')),
        ('unicode >U2', np.array([['a', 'bc'], ['de', '']], dtype='>U2')),
        ('bytes S5', np.array([b'hello', b'', b'ab\x00c', b'z'], dtype='|S5')),
        ('datetime', np.array(['2020-01-01', '1970-01-01T00:00:01'], dtype='<M8[ns]')[::-1]),
        ('timedelta', np.array([5, -3, 0], dtype='<m8[s]')[::2]),
        ('long double', np.array([1.0, -2.5], dtype=np.longdouble)),
        ('plain void', np.zeros(2, dtype='V3')),
        ('structured', np.array([(1, 2.5, [1, 2]), (-3, -0.5, [3, 4])],
                                dtype=[('a', '<i4'), ('b', '>f8'), ('c', 'u1', (2,))])),
        ('nested structured', np.array([((1, -2), b'abc', [1.5, 2.5]), ((3, 4), b'd', [0, -1])],
                                       dtype=[('p', [('x', '<i2'), ('y', '>i2')]),
                                              ('q', 'S3'), ('r', '<f4', (2,))])),
        ('structured subarray of structs', np.zeros(2, dtype=[('s', [('x', '<u2')], (2, 2))])),
        ('aligned structured', aligned()),
        ('structured 2-D', np.arange(6, dtype='<i4').reshape(2, 3).astype([('v', '<i4')])),
        ('np.int32', np.int32(7)),
        ('np.int8', np.int8(-5)),
        ('np.int64', np.int64(-2**63)),
        ('np.uint64', np.uint64(2**64 - 1)),
        ('np.uint16', np.uint16(65535)),
        ('np.bool_', np.bool_(True)),
        ('np.float16', np.float16(-1.5)),
        ('np.float32', np.float32(3.25)),
        ('np.complex64', np.complex64(1 - 2j)),
        ('np.complex128', np.complex128(complex(-0.5, math.inf))),
        ('complex', 1 + 2j),
        ('complex nan', complex(math.nan, math.inf)),
        ('complex -0j', complex(0.0, -0.0)),
        ('complex big', complex(1e16, 1e-5)),
    ]
    return out


def form_of(x):
    if isinstance(x, np.ndarray):
        return 'array'
    if isinstance(x, np.generic):
        return 'scalar'
    return 'complex'


def describe(name, x):
    d = {'name': name, 'form': form_of(x), 'packed': m.packb(x)}
    if isinstance(x, complex) and not isinstance(x, np.generic):
        d['values'] = [x.real, x.imag]
        return d
    a = np.asarray(x)
    d['dtype'] = a.dtype.str
    d['shape'] = list(a.shape)
    d['values'] = flat_values(a)
    if a.dtype.names:
        d['fields'] = {n: {'dtype': a[n].dtype.str, 'shape': list(a[n].shape),
                           'values': flat_values(a[n])} for n in a.dtype.names}
    return d


def message():
    return {'name': 'cam', 'image': np.arange(6, dtype='<f8').reshape(2, 3),
            'list': [np.arange(3, dtype='>i2'), {'s': np.int16(-4)}],
            'z': 1 + 2j, 'n': 5, 'f': 2.5}


def gen(path):
    obj = np.array([1, 'a'], dtype=object)
    out = {'cases': [describe(n, x) for n, x in cases()],
           'message': m.packb(message()),
           'object': m.packb({'ok': np.arange(2, dtype='<i8'), 'bad': obj}),
           'object_field': m.packb(np.zeros(1, dtype=[('o', 'O'), ('i', '<i4')]))}
    with open(path, 'wb') as f:
        f.write(msgpack.packb(out, use_bin_type=True))


def decode(b):
    return m.unpackb(b, object_hook=m.decode)


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return a == b and type(a) is type(b)


def check_echo(problems, name, packed, orig):
    """Go decoded Python's bytes for orig and encoded them again."""
    want = m.packb(orig)
    if packed != want:
        problems.append('%s: Go bytes differ from msgpack_numpy.packb' % name)
    got = decode(packed)
    ref = decode(want)  # what a Python peer gets from Python
    if isinstance(orig, np.ndarray):
        if not isinstance(got, np.ndarray):
            problems.append('%s: decoded to %r, not an ndarray' % (name, type(got)))
            return
        if got.dtype.str != ref.dtype.str or got.dtype.descr != ref.dtype.descr:
            problems.append('%s: dtype %s %s, want %s %s' % (name, got.dtype.str, got.dtype.descr, ref.dtype.str, ref.dtype.descr))
        if got.shape != orig.shape:
            problems.append('%s: shape %s, want %s' % (name, got.shape, orig.shape))
        if got.tobytes() != orig.tobytes():
            problems.append('%s: data differs' % name)
    elif isinstance(orig, np.generic):
        if type(got) is not type(orig) or got.tobytes() != orig.tobytes():
            problems.append('%s: decoded %r (%s), want %r (%s)' % (name, got, type(got), orig, type(orig)))
    else:
        if type(got) is not complex or repr(got) != repr(orig):
            problems.append('%s: decoded %r, want %r' % (name, got, orig))


def check_made(problems, c):
    """Go built a value and described what Python must see."""
    name = 'go ' + c['name']
    got = decode(c['packed'])
    form = c['form']
    if form == 'complex':
        if type(got) is not complex:
            problems.append('%s: decoded %r (%s), want complex' % (name, got, type(got)))
            return
        vals = [got.real, got.imag]
    elif form == 'scalar':
        if not isinstance(got, np.generic) or isinstance(got, np.ndarray):
            problems.append('%s: decoded %r (%s), want a numpy scalar' % (name, got, type(got)))
            return
        if got.dtype.str != c['dtype']:
            problems.append('%s: dtype %s, want %s' % (name, got.dtype.str, c['dtype']))
        vals = flat_values(got)
    else:
        if not isinstance(got, np.ndarray):
            problems.append('%s: decoded %r, not an ndarray' % (name, type(got)))
            return
        if got.dtype.str != c['dtype']:
            problems.append('%s: dtype %s, want %s' % (name, got.dtype.str, c['dtype']))
        if 'descr' in c:
            want = np.dtype([tuple(f) for f in _tuples(c['descr'])])
            if got.dtype != want:
                problems.append('%s: dtype %s, want %s' % (name, got.dtype.descr, want.descr))
        if list(got.shape) != c['shape']:
            problems.append('%s: shape %s, want %s' % (name, got.shape, c['shape']))
        if got.tobytes() != c['raw']:
            problems.append('%s: data differs' % name)
        vals = flat_values(got)
    want = c.get('values')
    if want is not None:
        if vals is None or len(vals) != len(want) or not all(same_value(a, b) for a, b in zip(vals, want)):
            problems.append('%s: values %s, want %s' % (name, str(vals)[:200], str(want)[:200]))


def _tuples(descr):
    out = []
    for f in descr:
        f = list(f)
        if isinstance(f[1], list):
            f[1] = [tuple(g) for g in _tuples(f[1])]
        if len(f) == 3:
            f[2] = tuple(f[2])
        out.append(tuple(f))
    return out


def check_message(problems, packed):
    got = decode(packed)
    try:
        img = got['image']
        assert isinstance(img, np.ndarray) and img.dtype.str == '<f8' and img.shape == (2, 3), repr(img)
        assert img.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], img.tolist()
        v = got['list'][0]
        assert isinstance(v, np.ndarray) and v.dtype.str == '>i2' and v.tolist() == [0, 1, 2], repr(v)
        s = got['list'][1]['s']
        assert type(s) is np.int16 and s == -4, repr(s)
        assert type(got['z']) is complex and got['z'] == 1 + 2j, repr(got['z'])
        assert got['name'] == 'go' and got['n'] == 5 and got['f'] == 2.5, repr(got)
    except (AssertionError, KeyError, IndexError, TypeError) as e:
        problems.append('message: %r in %r' % (e, got))


def check(path):
    with open(path, 'rb') as f:
        data = msgpack.unpackb(f.read(), raw=False)
    originals = dict(cases())
    problems = []
    for c in data['echo']:
        check_echo(problems, c['name'], c['packed'], originals[c['name']])
    for c in data['made']:
        check_made(problems, c)
    check_message(problems, data['message'])
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print('ok %d echoed, %d made' % (len(data['echo']), len(data['made'])))


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('gen', 'check'):
        sys.exit(__doc__)
    {'gen': gen, 'check': check}[sys.argv[1]](sys.argv[2])
