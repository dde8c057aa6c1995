#!/usr/bin/python3
"""Python side of codec_interop_test.go (Go Banyan's msgpack codec).

Usage: codec_peer.py cases|numpy  < request  > reply

The request on stdin is one msgpack map {case name: bin}, where each bin is
what Go's banyan.Marshal produced for that case. This script builds the same
values itself and replies with one msgpack map:

  {'cases': {name: {'py':    packb(value, use_bin_type=True),
                    'same':  unpackb(go bytes) is exactly value (types,
                             float bits, key order),
                    'echo':  packb(unpackb(go bytes)),
                    'error': repr of an exception, if any}},
   'python': version string, 'msgpack': version string}

Cases the request does not name (values Go cannot produce, such as bin keys
or int keys) are still packed, so Go can check that it decodes or rejects
them. Python encodes exactly as Python Banyan does (§2.2 and §2.7 of the
reference): packb(use_bin_type=True) and unpackb(raw=False), or in numpy mode
msgpack_numpy.packb(default=encode) and msgpack_numpy.unpackb(object_hook=decode).
"""

import struct
import sys

import msgpack


def packb(value):
    return msgpack.packb(value, use_bin_type=True)


def unpackb(data):
    return msgpack.unpackb(data, raw=False)


def canon(value):
    """Sort dict keys recursively: Go writes map[string]any keys sorted."""
    if isinstance(value, dict):
        return {k: canon(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canon(v) for v in value]
    return value


def same(a, b):
    """Exact equality: same types, float bits, dict key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack('>d', a) == struct.pack('>d', b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        ka, kb = list(a), list(b)
        return len(ka) == len(kb) and all(
            same(x, y) and same(a[x], b[y]) for x, y in zip(ka, kb))
    return a == b


def f32(x):
    """The float64 value of the float32 nearest to x (Go's float32(x))."""
    return struct.unpack('>f', struct.pack('>f', x))[0]


def pattern(n, mul=7, add=0):
    return bytes((i * mul + add) % 256 for i in range(n))


INTS = [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32,
        2**63 - 1, 2**63, 2**64 - 1, -1, -32, -33, -100, -128, -129,
        -32768, -32769, -2**31, -2**31 - 1, -2**63]

NAN = struct.unpack('>d', bytes.fromhex('7ff8000000000000'))[0]


def cases():
    """name -> value; every dict is key-sorted unless noted."""
    c = {
        'message_number': {'message_number': 10},
        'nil': None,
        'bools': [True, False, None],
        'ints': INTS,
        'typed_ints': {'i8': -5, 'u8': 200, 'i16': -300, 'u16': 60000,
                       'i32': -70000, 'u32': 4000000000, 'i64': -2**40,
                       'u64': 2**64 - 1},
        'floats': [0.0, -0.0, 1.0, 0.1, -2.5, 1e300, 5e-324,
                   1.7976931348623157e308, float('inf'), float('-inf'), NAN],
        'float32_widened': [f32(1.5), f32(0.1), f32(-3.4028234663852886e38)],
        'str_lengths': ['', 'a' * 31, 'b' * 32, 'c' * 255, 'd' * 256,
                        'e' * 65535, 'f' * 65536],
        'unicode': ['世界', '🌍', 'a\x00b', 'é€😀', '世' * 100,
                    'ключ', '\u200b\ufeff'],
        'unicode_keys': {'温度': 21.5, '🌡': 'ok', 'ключ': 'значение', '': 0},
        'bin_lengths': [pattern(n) for n in (0, 1, 255, 256, 65535, 65536)],
        'nested': {'a': [1, {'b': None, 'c': True}], 'd': False,
                   'e': {'f': {'g': [[], {}]}}},
        'map16': {'k%02d' % i: i for i in range(20)},
        'array16': list(range(-50, 50)),
        'map32': {'k%05d' % i: i for i in range(65536)},
        'large': {'blob': pattern(1 << 20, 31, 7),
                  'text': 'héllo wörld 世界 🌍 ' * 40000,
                  'ints': list(range(70000))},
    }
    c = {k: canon(v) for k, v in c.items()}
    # Go struct: fields in declaration order, not sorted.
    c['struct'] = {'topic': 't', 'seq': 300, 'ratio': 0.5, 'both': -1,
                   'Plain': True}
    # Values Go cannot produce: it must decode them (bin keys, tuples) ...
    c['bin_keys'] = {b'nd': True, b'type': '<f8', b'kind': b'',
                     b'shape': [2], b'data': struct.pack('<dd', 1.5, 2.0)}
    c['reference_ndarray'] = {'a': c['bin_keys']}
    c['mixed_keys'] = {'a': 1, b'b': 2}
    c['tuple'] = (1, (2, 'x'))
    # ... or reject them (Python's own unpackb rejects them too).
    c['int_key'] = {1: 'a'}
    c['nested_int_key'] = {'x': [{2: 'b'}]}
    c['none_key'] = {None: 1}
    c['float_key'] = {1.5: 1}
    return c


def numpy_cases():
    import numpy as np
    return {
        'ndarray_f8': {'a': np.array([1.5, 2.0])},
        'scalar_i4': np.int32(7),
        'ndarray_i2_2x3': np.arange(6, dtype='<i2').reshape(2, 3),
        'ndarray_u1': np.array([1, 2, 255], dtype=np.uint8),
        'ndarray_fortran': np.asfortranarray(np.arange(6, dtype='<i4').reshape(2, 3)),
    }


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else 'cases'
    request = unpackb(sys.stdin.buffer.read())
    reply = {}
    if mode == 'numpy':
        import numpy as np
        import msgpack_numpy as m

        for name, value in numpy_cases().items():
            entry = {'py': m.packb(value, default=m.encode)}
            if name in request:
                try:
                    got = m.unpackb(request[name], object_hook=m.decode)
                    if isinstance(value, dict):
                        entry['same'] = (list(got) == list(value) and all(
                            type(got[k]) is type(value[k]) and got[k].dtype == value[k].dtype
                            and np.array_equal(got[k], value[k]) for k in value))
                    else:
                        entry['same'] = (type(got) is type(value) and got.dtype == value.dtype
                                         and np.array_equal(got, value)
                                         and np.shape(got) == np.shape(value))
                except Exception as e:  # report, do not die
                    entry['error'] = repr(e)
            reply[name] = entry
    else:
        for name, value in cases().items():
            entry = {'py': packb(value)}
            if name in request:
                try:
                    got = unpackb(request[name])
                    entry['same'] = same(got, value)
                    entry['echo'] = packb(got)
                except Exception as e:  # report, do not die
                    entry['error'] = repr(e)
            reply[name] = entry
    unknown = sorted(set(request) - set(reply))
    sys.stdout.buffer.write(packb({
        'cases': reply,
        'unknown': unknown,
        'python': sys.version.split()[0],
        'msgpack': '.'.join(map(str, msgpack.version)),
    }))


if __name__ == '__main__':
    main()
