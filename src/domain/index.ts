export { DomainError } from './DomainError'
export * from './cart'
export * from './order'
