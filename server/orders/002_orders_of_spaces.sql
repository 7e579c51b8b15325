-- Orders are kept per space now (a household's shared cart is checked out in its space): the
-- user_id column names the order's partition, a user's own or a shared space's, not always a user.
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_user_id_fkey;
