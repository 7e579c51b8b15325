// The Standard Schema interface (standardschema.dev), declared here so the library needs no
// package for it: zod, valibot, arktype and others implement it, and any of them can check an
// event's data.

export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> }

export type InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output']
