/**
 * One sentence per decision for the request trace: what was decided and the fact it rests on, e.g.
 * `compression: br (q=1) for application/json, 24 KB -> compressing` or
 * `compression: text/html 300 B under minSize 1 KB -> as is`. Built only when a trace asks for it.
 */
import type { CompressionDecision } from './policy.ts';

export function describeDecision(decision: CompressionDecision, minSize: number): string {
  const { mediaType, coding, q } = decision;
  const size = decision.length === undefined ? 'length unknown (streamed)' : formatSize(decision.length);
  const vary = decision.vary ? ' (Vary: Accept-Encoding)' : '';
  switch (decision.outcome) {
    case 'compress':
      return `compression: ${coding} (q=${q}) for ${mediaType}, ${size} -> compressing`;
    case 'no-body':
      if (decision.method === 'HEAD') return `compression: HEAD has no body -> as is${vary}`;
      return `compression: ${decision.status} has no body -> as is`;
    case 'not-modified':
      return `compression: 304 has no body -> as is, ETag weakened as the ${coding} 200's${vary}`;
    case 'partial':
      return `compression: ${decision.status === 206 ? '206 partial content' : 'a Content-Range'} counts identity bytes -> as is`;
    case 'encoded':
      return `compression: already encoded (${decision.encodedAs}) -> as is`;
    case 'no-transform':
      return 'compression: Cache-Control: no-transform -> as is';
    case 'type':
      return mediaType === undefined
        ? 'compression: no Content-Type -> as is'
        : `compression: ${mediaType} is not a compressible type -> as is`;
    case 'small':
      return `compression: ${mediaType} ${size} under minSize ${formatSize(minSize)} -> as is`;
    case 'no-header':
      return `compression: no Accept-Encoding -> as is${vary}`;
    case 'none-acceptable':
      return `compression: Accept-Encoding takes none of the codings offered -> as is${vary}`;
    case 'identity-preferred':
      return `compression: the client weighs identity highest -> as is${vary}`;
  }
}

/** `300 B`, `1 KB`, `24 KB`, `1.5 MB` (1 KB = 1024 bytes, as the config's sizes). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${round(bytes / 1024)} KB`;
  return `${round(bytes / (1024 * 1024))} MB`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
