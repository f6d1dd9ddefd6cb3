/** The four kinds of node (ARCHITECTURE.md), in a module of their own so events and the UI name them without importing the schema. */
export const NODE_KINDS = ['proxy', 'gateway', 'balancer', 'service'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
