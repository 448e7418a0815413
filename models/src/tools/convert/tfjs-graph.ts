/**
 * Reading TF.js graph models (model.json + .bin weight shards) without TF.js: the graph topology
 * (a TensorFlow GraphDef in JSON), node attributes and the weights manifest, including the
 * quantised encodings the TF.js converter writes (float16, and affine uint8/uint16).
 */

export type TfDtype = 'float32' | 'int32' | 'bool';

/** An attribute value as the TF.js converter serialises a GraphDef AttrValue to JSON. */
export interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  tensor?: { dtype?: string; tensorShape?: { dim?: { size?: string | number }[] } };
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[] };
  func?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
  device?: string;
}

export interface TfWeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

export interface TfWeightGroup {
  paths: string[];
  weights: TfWeightEntry[];
}

export interface TfModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelTopology: { node: TfNode[]; library?: unknown; versions?: unknown };
  weightsManifest: TfWeightGroup[];
}

/** A dense constant tensor, row-major (C order), as TF lays it out. */
export interface ConstTensor {
  dtype: TfDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** IEEE 754 half to single precision, exact for every half value (subnormals, inf, NaN). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function bytesPerStoredElement(w: TfWeightEntry): number {
  if (w.quantization) {
    if (w.quantization.dtype === 'uint8') return 1;
    if (w.quantization.dtype === 'uint16' || w.quantization.dtype === 'float16') return 2;
    throw new Error(`weight ${w.name}: unsupported quantization ${String(w.quantization.dtype)}`);
  }
  if (w.dtype === 'float32' || w.dtype === 'int32') return 4;
  if (w.dtype === 'bool') return 1;
  throw new Error(`weight ${w.name}: unsupported dtype ${w.dtype}`);
}

/** The shards of a weight group joined in order, as TF.js reads them. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * Decodes every weight of the manifest. `readShard` returns the bytes of one shard path; the shards
 * of a group are concatenated in order, as TF.js does. Quantised weights are dequantised to float32
 * exactly as TF.js does at load time, so the converted graph computes what TF.js computes.
 */
export function decodeWeights(model: TfModelJson, readShard: (path: string) => Uint8Array): Map<string, ConstTensor> {
  const out = new Map<string, ConstTensor>();
  for (const group of model.weightsManifest) {
    const buf = concatBytes(group.paths.map(readShard));
    const total = buf.byteLength;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      const n = sizeOf(w.shape);
      const bytes = n * bytesPerStoredElement(w);
      if (offset + bytes > total) throw new Error(`weight ${w.name} runs past the end of its shards`);
      const q = w.quantization;
      let t: ConstTensor;
      if (w.dtype === 'int32' && !q) {
        const data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = view.getInt32(offset + 4 * i, true);
        t = { dtype: 'int32', shape: [...w.shape], data };
      } else if (w.dtype === 'bool') {
        const data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = view.getUint8(offset + i) ? 1 : 0;
        t = { dtype: 'bool', shape: [...w.shape], data };
      } else {
        const data = new Float32Array(n);
        if (!q) {
          for (let i = 0; i < n; i++) data[i] = view.getFloat32(offset + 4 * i, true);
        } else if (q.dtype === 'float16') {
          for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
        } else {
          const scale = q.scale ?? 1;
          const min = q.min ?? 0;
          for (let i = 0; i < n; i++) {
            const v = q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
            data[i] = v * scale + min;
          }
        }
        if (w.dtype === 'int32') {
          t = { dtype: 'int32', shape: [...w.shape], data: Int32Array.from(data, (v) => Math.round(v)) };
        } else {
          t = { dtype: 'float32', shape: [...w.shape], data };
        }
      }
      out.set(w.name, t);
      offset += bytes;
    }
    if (offset !== total) throw new Error(`weight shards ${group.paths.join(', ')} hold ${total} bytes, manifest describes ${offset}`);
  }
  return out;
}

// --- attribute accessors -------------------------------------------------------------------

export function attrString(node: TfNode, name: string, fallback?: string): string {
  const v = node.attr?.[name]?.s;
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${node.op} ${node.name}: missing attribute ${name}`);
  }
  return Buffer.from(v, 'base64').toString('utf8');
}

export function attrInts(node: TfNode, name: string, fallback?: number[]): number[] {
  const v = node.attr?.[name]?.list?.i;
  if (v === undefined || v.length === 0) {
    if (fallback !== undefined) return fallback;
    if (v) return [];
    throw new Error(`${node.op} ${node.name}: missing attribute ${name}`);
  }
  return v.map(Number);
}

export function attrInt(node: TfNode, name: string, fallback: number): number {
  const v = node.attr?.[name]?.i;
  return v === undefined ? fallback : Number(v);
}

export function attrFloat(node: TfNode, name: string, fallback: number): number {
  const v = node.attr?.[name]?.f;
  return v === undefined ? fallback : Number(v);
}

export function attrBool(node: TfNode, name: string, fallback: boolean): boolean {
  const v = node.attr?.[name]?.b;
  return v === undefined ? fallback : Boolean(v);
}

export function attrStrings(node: TfNode, name: string): string[] {
  return (node.attr?.[name]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

/** The static shape of a Placeholder (-1 for an unknown dimension). */
export function placeholderShape(node: TfNode): number[] {
  const dims = node.attr?.shape?.shape?.dim;
  if (!dims) throw new Error(`Placeholder ${node.name} has no static shape`);
  return dims.map((d) => Number(d.size ?? -1));
}

/** Splits a TF input reference "node:1" / "^control" into node name and output index. */
export function parseInputRef(ref: string): { node: string; index: number; control: boolean } {
  if (ref.startsWith('^')) return { node: ref.slice(1), index: 0, control: true };
  const m = /^(.*):(\d+)$/.exec(ref);
  if (m) return { node: m[1]!, index: Number(m[2]), control: false };
  return { node: ref, index: 0, control: false };
}
