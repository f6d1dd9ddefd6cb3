/**
 * The controls of the lab page a lesson's text may name, in double quotes, as the page labels them
 * (`{node}` stands for a node id of the lesson, `{fault}` for a fault type, `{setting}` for a config
 * word such as `retries` or `targets`, as the settings form names its fields). One list, so a hint never
 * sends a learner to a button the page does not have; the lesson validator holds every quoted name to it.
 * Where each lives: the traffic bar (Controls.svelte), the service toggles and a service's inspector
 * (ServiceToggles.svelte), a balancer's inspector (AlgorithmSwitcher.svelte), a flow's failover entries
 * in the traffic panel (traffic/FlowFailover.svelte), a forwarding node's capacity in its inspector
 * (inspectors/CapacityControl.svelte), the fault form (FaultForm.svelte), the config editor
 * (ConfigEditor.svelte), and every node's "Settings" and the "Clients" box's flows: a form generated
 * from the config's schema, each field labelled with its config word, applied at once
 * (settings/SchemaField.svelte: "Set retries" for an unset group, "Add to targets" and "Remove" for a list,
 * "Apply" beside a new route, consumer or flow, which waits in the form until then; a setting of several
 * forms is one choice labelled with the field that tells them apart, such as a rate limit's `algorithm`),
 * the topology editor's bar (topology/BuildBar.svelte), and the balancer inspector's key counts
 * (inspectors/balancer/KeyAffinity.svelte), a readout the sticky lessons point at.
 */
export const PAGE_CONTROLS = [
  'Resume traffic',
  'Pause traffic',
  'Requests per second',
  'Stop {node}',
  'Start {node}',
  'Algorithm',
  'Hash key',
  'Inject {fault}',
  'Failover',
  'Apply failover',
  'Capacity',
  'Concurrency',
  'Queue',
  'Apply capacity',
  'Remove the limit',
  'Clear all',
  'Config',
  'Apply',
  'Show me',
  'Clients',
  'Settings',
  'Set {setting}',
  'Clear {setting}',
  'Add to {setting}',
  'Remove',
  'Build',
  'Done building',
  'Key affinity',
] as const;
