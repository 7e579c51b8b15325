/** The most of one item a cart takes. */
export const MAX_QUANTITY = 99
