"""Reference printer for internal/pyrepr's tests (written for this project).

Decodes msgpack payloads exactly as a Python Banyan component receives
them and prints them as its monitor does: print(topic, payload).

  pyprint.py print     stdin: JSON lines {"topic", "hex", "mode": "plain"|"numpy"}
                       stdout: JSON lines {"text": hex of what print() wrote,
                       "strict_error": "" or the exception a real monitor dies of}
                       When the real decoding raises, the payload is decoded
                       leniently (unicode_errors='surrogateescape',
                       strict_map_key=False, the top-level key fix only on
                       dicts and with surrogateescape) and that is printed.
  pyprint.py numpy     stdout: JSON lines {"name", "hex"}: payloads packed as a
                       numpy-mode component publishes them, each value as
                       {'v': value} and on its own ("top <name>").
  pyprint.py printable stdout: JSON {"unidata": version, "printable": [[lo, hi], ...],
                       "unassigned": [[lo, hi], ...]} (inclusive ranges)
"""

import io
import json
import sys
import unicodedata

import msgpack


def fix_keys(payload, lenient):
    # Python Banyan's numpy-mode receive loop: when the top-level dict has
    # keys that are not str, the payload becomes those keys decoded as
    # UTF-8, with their values (str keys are dropped).
    if lenient and not isinstance(payload, dict):
        return payload
    fixed = {}
    for k, v in payload.items():
        if type(k) is not str:
            if lenient:
                k = k.decode('utf-8', 'surrogateescape') if isinstance(k, bytes) else k
            else:
                k = k.decode('utf-8')
            fixed[k] = v
    return fixed if fixed else payload


def decode(raw, mode, lenient):
    opts = {}
    if lenient:
        opts = {'unicode_errors': 'surrogateescape', 'strict_map_key': False}
    if mode == 'numpy':
        import msgpack_numpy
        payload = msgpack_numpy.unpackb(raw, object_hook=msgpack_numpy.decode, **opts)
        return fix_keys(payload, lenient)
    return msgpack.unpackb(raw, raw=False, **opts)


def show(topic, payload):
    out = io.StringIO()
    print(topic, payload, file=out)
    return out.getvalue().encode('utf-8', 'surrogateescape').hex()


def cmd_print():
    for line in sys.stdin:
        req = json.loads(line)
        raw = bytes.fromhex(req['hex'])
        res = {'strict_error': ''}
        try:
            res['text'] = show(req['topic'], decode(raw, req['mode'], False))
        except Exception as e:  # what kills a real monitor's receive loop
            res['strict_error'] = type(e).__name__ + ': ' + str(e)
            try:
                res['text'] = show(req['topic'], decode(raw, req['mode'], True))
            except Exception as e2:
                res['lenient_error'] = type(e2).__name__ + ': ' + str(e2)
        print(json.dumps(res), flush=True)


def numpy_corpus():
    import numpy as np
    rng = np.random.default_rng(20240601)
    c = {}
    ints = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
    for t in ints:
        info = np.iinfo(t)
        c['1d ' + t.__name__] = np.array([0, 1, info.max, info.min, 7], dtype=t)
        c['0d ' + t.__name__] = np.array(info.max, dtype=t)
        c['scalar ' + t.__name__] = t(info.min)
        c['scalar max ' + t.__name__] = t(info.max)
        c['2d ' + t.__name__] = (np.arange(12) % 100).astype(t).reshape(3, 4)
        c['big-endian ' + t.__name__] = np.array([1, 2, 300 % (int(info.max) + 1)], dtype=np.dtype(t).newbyteorder('>'))
    for t in [np.float16, np.float32, np.float64]:
        n = t.__name__
        c['1d ' + n] = np.array([0.0, 1.0, 2.5, -3.25], dtype=t)
        c['0d ' + n] = np.array(1.5, dtype=t)
        c['0d integral ' + n] = np.array(1.0, dtype=t)
        c['thirds ' + n] = np.array([1 / 3, 2 / 3, 10 / 3], dtype=t)
        c['exp small ' + n] = np.array([1e-5, 1.0], dtype=t)
        c['exp ratio ' + n] = np.array([0.001, 10.0], dtype=t)
        c['ratio 1000 ' + n] = np.array([1, 1000], dtype=t)
        c['ratio 1001 ' + n] = np.array([1, 1001], dtype=t)
        c['nonfinite ' + n] = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=t)
        c['only nan ' + n] = np.array([np.nan, np.nan], dtype=t)
        c['inf and one ' + n] = np.array([np.inf, 1.0], dtype=t)
        c['zeros ' + n] = np.array([0.0, -0.0], dtype=t)
        c['random ' + n] = rng.standard_normal(7).astype(t)
        c['random wide ' + n] = (rng.standard_normal(9) * 10.0 ** rng.integers(-6, 6, 9)).astype(t)
        c['2d ' + n] = (rng.standard_normal((4, 5)) * 100).astype(t)
        c['3d ' + n] = np.arange(24, dtype=t).reshape(2, 3, 4) / 7
        c['scalar ' + n] = t(0.1)
        c['scalar big ' + n] = t(1e4 if t is np.float16 else 1e16)
        c['scalar small ' + n] = t(1e-5)
        c['scalar nan ' + n] = t(np.nan)
        c['scalar -inf ' + n] = t(-np.inf)
        c['big-endian ' + n] = np.array([1.5, -2.0], dtype=np.dtype(t).newbyteorder('>'))
    c['f64 exp'] = np.array([1e-5, 1.5e10])
    c['f64 exp3'] = np.array([1e-5, 1e100])
    c['f64 1e8'] = np.array([1e8, 1.0])
    c['f64 ties'] = np.array([0.001953125, 1.0, 0.005859375])
    c['f64 big values'] = np.array([1.7976931348623157e308, 5e-324, -1.0])
    c['f64 maxprec'] = np.array([0.1 + 0.2, 123.456789012345])
    c['f32 min digits'] = np.array([0.1, 1.2345678e-5], dtype=np.float32)
    c['f16 min digits'] = np.array([0.1, 1.2345678e-5, 3], dtype=np.float16)
    c['bool 1d'] = np.array([True, False, True])
    c['bool 0d'] = np.array(True)
    c['bool 2d'] = np.array([[True, False], [False, False]])
    c['bool scalar'] = np.bool_(False)
    c['complex'] = np.array([1 + 2j, 3.5 - 1e-3j])
    c['complex64'] = np.array([1 + 2j, np.nan + 1j * np.inf, -0.5j], dtype=np.complex64)
    c['complex 0d'] = np.array(2 - 1j)
    c['complex scalar'] = np.complex64(0.1 + 0.2j)
    c['complex128 scalar'] = np.complex128(-0.0 - 1j)
    c['python complex'] = 1 + 2j
    c['python complex pure'] = 3j
    c['python complex in list'] = [1.5 - 0.5j, complex(float('nan'), -float('inf'))]
    c['str array'] = np.array(['ab', 'c', "it's", 'é\x00x', '\u2028'])
    c['str 0d'] = np.array('x')
    c['bytes array'] = np.array([b'ab', b'c\x00', b"'", b'\xff'])
    c['bytes scalar'] = np.bytes_(b'hi')
    c['empty int16'] = np.array([], dtype=np.int16)
    c['empty float64'] = np.zeros(0)
    c['empty 2d'] = np.zeros((2, 0))
    c['empty 3d'] = np.zeros((0, 3, 2), dtype=np.int32)
    c['arange 1000'] = np.arange(1000)
    c['arange 1001'] = np.arange(1001)
    c['arange 2000'] = np.arange(2000)
    c['arange 2000 int16'] = np.arange(2000, dtype=np.int16)
    c['linspace 2000'] = np.linspace(0, 1, 2000)
    c['2d summary'] = np.arange(40 * 50).reshape(40, 50)
    c['2d summary f4'] = (np.arange(40 * 50).reshape(40, 50) / 3).astype(np.float32)
    c['2d narrow rows'] = np.arange(6 * 200).reshape(200, 6)
    c['3d summary'] = np.arange(10 * 11 * 12).reshape(10, 11, 12)
    c['wrap int64'] = np.arange(100) * 123456789
    c['wrap dtype line'] = np.arange(20, dtype=np.int32) * 100000
    c['wrap dtype line 2'] = np.arange(17, dtype=np.int32) * 1000000
    c['wrap bool'] = np.array([True, False] * 20)
    c['wrap floats'] = rng.standard_normal(30)
    c['wrap 2d floats'] = rng.standard_normal((3, 12))
    c['fortran order'] = np.asfortranarray(np.arange(6).reshape(2, 3))
    c['transposed'] = np.arange(6, dtype=np.float32).reshape(2, 3).T
    c['dict of arrays'] = {'a': np.array([1.5, 2.0]), 'b': np.arange(3, dtype=np.uint8), 'n': 1}
    c['nested'] = {'frames': [np.zeros((2, 2)), {'deep': np.array([True])}], 'id': 'x'}
    c['list of scalars'] = [np.int32(7), np.float32(1.5), np.uint64(2**64 - 1), np.bool_(True)]
    c['multiline in dict'] = {'img': np.arange(12).reshape(3, 4), 'ok': True}
    c['plain payload'] = {'message_number': 10, 'f': 0.1}
    halves = np.arange(65536, dtype=np.uint16).view(np.float16)
    for i in range(0, 65536, 2048):
        c['f16 scalars %05d' % i] = [np.float16(x) for x in halves[i:i + 2048]]
    f32 = rng.integers(0, 2**32, 4096, dtype=np.uint64).astype(np.uint32).view(np.float32)
    for i in range(0, 4096, 512):
        c['f32 scalars %04d' % i] = [np.float32(x) for x in f32[i:i + 512]]
        c['f32 array %04d' % i] = f32[i:i + 16]
    f64 = rng.integers(0, 2**63, 2048, dtype=np.uint64).view(np.float64)
    for i in range(0, 2048, 256):
        c['f64 random %04d' % i] = [float(x) for x in f64[i:i + 256]]
        c['f64 array %04d' % i] = f64[i:i + 16]
        c['f64 array sci %04d' % i] = f64[i:i + 16] * 1e-300
    import msgpack_numpy
    for name, obj in c.items():
        # Each value in a dict, as components send them, and on its own
        # (which only Python's numpy-mode receive loop cannot take).
        for n, o in ((name, {'v': obj}), ('top ' + name, obj)):
            raw = msgpack_numpy.packb(o, default=msgpack_numpy.encode)
            print(json.dumps({'name': n, 'hex': raw.hex()}))


def ranges(pred):
    out, start = [], None
    for cp in range(0x110000):
        if pred(chr(cp)):
            if start is None:
                start = cp
        elif start is not None:
            out.append([start, cp - 1])
            start = None
    if start is not None:
        out.append([start, 0x10FFFF])
    return out


def cmd_printable():
    print(json.dumps({
        'unidata': unicodedata.unidata_version,
        'printable': ranges(str.isprintable),
        'unassigned': ranges(lambda c: unicodedata.category(c) == 'Cn'),
    }))


if __name__ == '__main__':
    {'print': cmd_print, 'numpy': numpy_corpus, 'printable': cmd_printable}[sys.argv[1]]()
