/**
 * The Phoenix channel wire protocol spoken by supabase-js: serializer negotiation, decoding of
 * inbound frames (vsn 1.0.0 JSON objects, vsn 2.0.0 JSON arrays and binary kind 3) and encoding of
 * outbound frames (replies, pushes, closes, broadcasts as JSON or binary kind 4, postgres_changes).
 * Pure values and codecs: no I/O, no container, and nothing else of MudRock is imported here.
 */
package io.mudrock.realtime.protocol;
