export * from './orderList'
export * from './shop'
