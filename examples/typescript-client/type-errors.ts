/**
 * What the generated types refuse: each line below must be a type error (tsc
 * fails on an `@ts-expect-error` that expects none), so compiling this file
 * proves the document declares these fields as required.
 */
import { phoneBridge } from './client.js';

const pb = phoneBridge('http://127.0.0.1:4010', 'token');

export const refused = [
  // @ts-expect-error phonenumber is a required query parameter of callerdetails
  () => pb.GET('/crm/v2/phonebridge/callerdetails', { params: { query: {} } }),
  // @ts-expect-error clicktocallurl is required by the GET alias too
  () => pb.GET('/crm/v2/phonebridge/clicktocallandcallcontrol', { params: { query: { userid: '3235140000000152001' } } }),
  // @ts-expect-error a call event needs fromnumber and tonumber
  () => pb.POST('/crm/v2/phonebridge/callreceived', { body: { callrefid: 'x' } }),
];
