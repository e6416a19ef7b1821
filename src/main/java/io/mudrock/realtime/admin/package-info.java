/**
 * The HTTP API of the server (JAX-RS): tenant administration under {@code /api/tenants} with
 * upstream's routes and bodies, authenticated by {@code API_JWT_SECRET} (or {@code API_JWT_SECRET_NEXT})
 * tokens, refusing client-role tokens while an admin secret is also a tenant's JWT secret, and the
 * setup doctor that turns the old guide's checklist into one request.
 */
package io.mudrock.realtime.admin;
