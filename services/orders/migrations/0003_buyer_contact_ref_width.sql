-- The sealed platform_contact_ref must hold the documented 512 characters of any kind: 512
-- four-byte characters are 2048 bytes, sealed as "v1:" + base64url(12-byte nonce | 2048 bytes |
-- 16-byte tag) = 2771 characters, more than the 2048 that 0001_initial.sql allowed (a reference of
-- 502 three-byte characters already failed with error 1406). The other sealed columns hold their
-- limits: name 50 characters (307 sealed, of 512), phone 20 ASCII (67, of 512), address 200
-- characters (1107, of 2048).
ALTER TABLE orders MODIFY COLUMN buyer_contact_ref_sealed VARCHAR(2800) NOT NULL;
