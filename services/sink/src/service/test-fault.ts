/**
 * TEST-ONLY fault switch for the chaos suite's negative control (test/chaos, docs/reliability.md).
 *
 * `CCTAP_TEST_FAULT=ack-before-insert` makes the sink ack a flush's messages BEFORE inserting them, the
 * classic at-most-once bug: a crash during the insert then loses the flush for good. It exists only so the
 * chaos suite can prove that its checks detect a loss. Any other value, or no value, leaves the sink
 * unchanged; no configuration file or flag can turn it on.
 */
export type TestFault = 'ack-before-insert' | null;

// The one read of the environment below apps/: a switch that must not be an option of the sink's API or of
// any configuration, so that nothing but the chaos suite's environment can turn it on.
// eslint-disable-next-line no-restricted-properties
export function testFaultFromEnv(env: NodeJS.ProcessEnv = process.env): TestFault {
  return env.CCTAP_TEST_FAULT === 'ack-before-insert' ? 'ack-before-insert' : null;
}
