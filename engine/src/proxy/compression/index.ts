/**
 * Response compression for the proxy (issue 11 section 3): negotiation from Accept-Encoding, the
 * per-response decision compiled from the node's config, and the streaming encoder with its byte tally.
 * Wiring: `compileCompression(config.compression)` once per node; per response, before the headers
 * go out, `policy.decide(method, req.headers['accept-encoding'], status, headers)`; when its outcome is
 * `compress`, the body goes through `bodyEncoderFor(res, decision.coding, policy.levels, tally, decision.length)`:
 * a WholeBodyEncoder when the length is declared and at most WHOLE_BODY_MAX_BYTES, else a streaming
 * BodyEncoder (either: write, onDrain, end; abandon when the upstream fails mid-body; `failure` names a
 * cut response).
 */
export { EncodingNegotiator, type Negotiation, type NoCodingReason } from './accept-encoding.ts';
export { CONTENT_CODINGS, DEFAULT_CODINGS, type ContentCoding } from './codings.ts';
export { describeDecision, formatSize } from './describe.ts';
export { BodyEncoder, DEFAULT_ENCODER_LEVELS, newCompressionTally, type CompressionTally, type EncoderLevels } from './encoder.ts';
export { bodyEncoderFor, WHOLE_BODY_MAX_BYTES, WholeBodyEncoder } from './whole-body-encoder.ts';
export { DEFAULT_COMPRESSIBLE_TYPES, MediaTypeSet, mediaTypeOf } from './media-types.ts';
export { CompressionPolicy, compileCompression, type CompressionDecision, type CompressionOutcome } from './policy.ts';
