/** Test and benchmark helpers (`@cctap/alerter/testing`): contract-valid event factories and a real HTTP receiver. */
export { makeEvent, bashCall, fileCall } from './contract-events.js';
export { startTestReceiver, type TestReceiver, type ReceivedRequest } from './http-receiver.js';
