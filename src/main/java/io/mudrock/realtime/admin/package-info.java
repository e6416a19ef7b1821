/**
 * The HTTP API of the server (JAX-RS): tenant administration under {@code /api/tenants} with
 * upstream's routes and bodies, authenticated by {@code API_JWT_SECRET} tokens, and the setup
 * doctor that turns the old guide's checklist into one request.
 */
package io.mudrock.realtime.admin;
