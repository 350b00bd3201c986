/**
 * Every PhoneBridge operation, called the natural way through the typed client.
 * Prints one JSON line per call: the operation and the status it got.
 * Usage: node dist/conversation.js BASE_URL TOKEN
 */
import { asForm, phoneBridge } from './client.js';

const [baseUrl = 'http://127.0.0.1:4010', token = '1000.admin.mockpbx'] = process.argv.slice(2);
const pb = phoneBridge(baseUrl, token);
const call = { callrefid: 'typed-client-1', fromnumber: '+18885554567', tonumber: '0018885556748' };

const calls: [string, () => Promise<{ response: Response }>][] = [
  ['enableIntegration', () => pb.POST('/crm/v2/phonebridge/integrate')],
  [
    'enableClickToCall',
    () =>
      pb.POST('/crm/v2/phonebridge/clicktocallandcallcontrol', {
        body: { clicktocallurl: 'https://pbx.example.com/zoho/clicktocall', answerurl: 'https://pbx.example.com/zoho/answer' },
        ...asForm,
      }),
  ],
  [
    'enableClickToCallByGet',
    () => pb.GET('/crm/v2/phonebridge/clicktocallandcallcontrol', { params: { query: { clicktocallurl: 'https://pbx.example.com/zoho/clicktocall' } } }),
  ],
  ['callReceived', () => pb.POST('/crm/v2/phonebridge/callreceived', { body: call, ...asForm })],
  ['callAnswered', () => pb.POST('/crm/v2/phonebridge/callanswered', { body: call })],
  [
    'callHungUp',
    () => pb.POST('/crm/v2/phonebridge/callhungup', { body: { ...call, callstarttime: '2026-11-26 10:00:00', duration: 42, direction: 'inbound' }, ...asForm }),
  ],
  ['callMissed', () => pb.POST('/crm/v2/phonebridge/callmissed', { body: { ...call, callrefid: 'typed-client-2', callmissedtime: '2026-11-26 10:05:00' } })],
  [
    'callDialed',
    () =>
      pb.POST('/crm/v2/phonebridge/calldialed', {
        body: { callrefid: 'typed-client-3', fromnumber: '100', tonumber: '+18885554567', customerstatus: 'success' },
        ...asForm,
      }),
  ],
  [
    'updateVoiceUrl',
    () => pb.POST('/crm/v2/phonebridge/voiceurl', { body: { callrefid: 'typed-client-1', voiceurl: 'https://pbx.example.com/rec/1.mp3' }, ...asForm }),
  ],
  ['listUsers', () => pb.GET('/crm/v2/phonebridge/users')],
  ['getCallerDetails', () => pb.GET('/crm/v2/phonebridge/callerdetails', { params: { query: { phonenumber: '+18885554567' } } })],
  ['getCallerDetails (unknown)', () => pb.GET('/crm/v2/phonebridge/callerdetails', { params: { query: { phonenumber: '+999 000 000 0001' } } })],
  ['disableClickToCall', () => pb.DELETE('/crm/v2/phonebridge/clicktocallandcallcontrol')],
  ['disableIntegration', () => pb.DELETE('/crm/v2/phonebridge/integrate')],
];

for (const [operation, send] of calls) {
  const { response } = await send();
  console.log(JSON.stringify({ operation, status: response.status }));
}
