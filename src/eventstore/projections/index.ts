export { defineProjection } from './Projection'
export type { ProjectionContext, ProjectionDefinition, ProjectionState, ProjectionStatus } from './Projection'
export { ProjectionRunner } from './ProjectionRunner'
export type { ProjectionRunnerOptions } from './ProjectionRunner'
