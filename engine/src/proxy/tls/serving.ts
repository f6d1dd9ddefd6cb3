/**
 * The certificate a TLS proxy starts with, from its settings: the configured files, checked
 * (certificate.ts), or a self-signed one made now (self-signed.ts).
 */
import type { TlsSettings } from '../../config/proxy/tls.ts';
import { loadCertificate, type ServingCertificate } from './certificate.ts';
import { generateSelfSigned } from './self-signed.ts';

export async function servingCertificate(
  settings: TlsSettings,
  node: { nodeId: string; now: number; certDir?: string },
): Promise<ServingCertificate> {
  if (settings.files !== undefined) return loadCertificate(settings.files, node.now);
  return generateSelfSigned({ nodeId: node.nodeId, now: node.now, dir: node.certDir });
}
