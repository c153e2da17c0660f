// A tiny ONNX ModelProto writer (protobuf wire format by hand, no dependency): single-op float32 graphs
// with named inputs of fixed shape, enough for the ONNX Runtime peer's forward-only workloads.
// Field numbers from onnx/onnx.proto: ModelProto{ir_version 1, graph 7, opset_import 8},
// GraphProto{node 1, name 2, input 11, output 12}, NodeProto{input 1, output 2, op_type 4},
// ValueInfoProto{name 1, type 2}, TypeProto{tensor_type 1}, Tensor{elem_type 1, shape 2},
// TensorShapeProto{dim 1}, Dimension{dim_value 1}, OperatorSetIdProto{domain 1, version 2}.

const varint = (v: number): number[] => { const out: number[] = []; while (v > 127) { out.push((v & 127) | 128); v = Math.floor(v / 128); } out.push(v); return out; };
const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const int = (field: number, v: number): number[] => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: number[]): number[] => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string): number[] => bytes(field, [...new TextEncoder().encode(s)]);

const FLOAT = 1;
const valueInfo = (name: string, shape: readonly number[]): number[] =>
  [...str(1, name), ...bytes(2, bytes(1, [...int(1, FLOAT), ...bytes(2, shape.flatMap((d) => bytes(1, int(1, d))))]))];

export interface OneOpGraph {
  op: string;
  inputs: Record<string, readonly number[]>;
  output: [name: string, shape: readonly number[]];
}

/** A serialised model that runs one op (default-domain opset 13) on float32 inputs. */
export function oneOpModel({ op, inputs, output }: OneOpGraph): Uint8Array {
  const node = [...Object.keys(inputs).flatMap((n) => str(1, n)), ...str(2, output[0]), ...str(4, op)];
  const graph = [
    ...bytes(1, node), ...str(2, `bench_${op}`),
    ...Object.entries(inputs).flatMap(([n, s]) => bytes(11, valueInfo(n, s))),
    ...bytes(12, valueInfo(output[0], output[1])),
  ];
  return new Uint8Array([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...str(1, ""), ...int(2, 13)])]);
}
