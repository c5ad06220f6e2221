// Conformance: Constant Contact's official TypeScript SDK (ctct-api-client 1.23.0), unchanged
// except for its base path, against the sandbox. The suite's own account, owner and app are made
// through the control API on a sandbox started with `--seed empty`, so the checks hold whatever
// the demo data holds; a second sandbox with the demo seed serves the checks of the demo data
// itself. Gets tokens through the device flow (approved via the control API) and exercises every
// SDK operation the sandbox emulates, asserting on the data returned. Usage: LIAISON_BIN=... node run.mjs
import { File } from 'node:buffer';  // a global only from Node 20; Debian 12 ships Node 18
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { startSandbox, stopSandbox } from '../lib/sandbox.mjs';
import { bulkChecks } from './bulk_checks.mjs';

const require = createRequire(import.meta.url);
const ctct = require('ctct-api-client');
const binary = process.env.LIAISON_BIN;
assert.ok(binary, 'LIAISON_BIN must point at the liaison binary');

async function post(url, body, json = false) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: json ? JSON.stringify(body) : new URLSearchParams(body),
  });
  return response.json();
}

// A control-API call whose failure stops the suite: a check must never pass on a failed setup.
async function control(base, path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function deviceToken(base, clientId, email) {
  const scope = 'account_read account_update contact_data campaign_data offline_access';
  const start = await post(`${base}/oauth2/default/v1/device/authorize`, { client_id: clientId, scope });
  assert.ok(start.user_code, JSON.stringify(start));
  await control(base, '/__sandbox/device/approve', email ? { user_code: start.user_code, email } : { user_code: start.user_code });
  const tokens = await post(`${base}/oauth2/default/v1/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: clientId, device_code: start.device_code });
  assert.ok(tokens.access_token, JSON.stringify(tokens));
  return tokens.access_token;
}

// The suite's account on the empty sandbox: an owner, a device-flow app, a confirmed sender.
const OWNER = 'owner@sdk-bakery.test';
async function sdkAccount(base) {
  const account = await control(base, '/__sandbox/accounts', {
    organization_name: 'SDK Bakery', organization_phone: '555-0100', time_zone_id: 'America/New_York',
    physical_address: { address_line1: '9 Crumb Court', city: 'Salem', state_code: 'MA', postal_code: '01970',
                        country_code: 'US' } });
  await control(base, '/__sandbox/users', { account_id: account.encoded_account_id, email: OWNER,
                                            password: 'sdk-bakery', role: 'Account Owner' });
  await control(base, '/__sandbox/apps', { client_id: 'sdk-device', name: 'SDK suite', confidential: false,
                                           flows: ['device'] });
  const token = await deviceToken(base, 'sdk-device', OWNER);
  await control(base, '/v3/account/emails', { email_address: OWNER }, token);
  await control(base, `/__sandbox/accounts/${account.encoded_account_id}/emails/confirm`, { email_address: OWNER });
  return token;
}

function apis(token, base) {
  const config = new ctct.Configuration({ accessToken: token, basePath: `${base}/v3` });
  return {
    account: new ctct.AccountServicesApi(config),
    contacts: new ctct.ContactsApi(config),
    lists: new ctct.ContactListsApi(config),
    tags: new ctct.ContactTagsApi(config),
    fields: new ctct.ContactsCustomFieldsApi(config),
    bulk: new ctct.BulkActivitiesApi(config),
    social: new ctct.SocialApi(config),
    emails: new ctct.EmailCampaignsApi(config),
    scheduling: new ctct.EmailSchedulingApi(config),
  };
}

const notFound = (error) => error.response?.status === 404;

const checks = [];
function check(name, fn) { checks.push({ name, fn }); }

check('account', async ({ api }) => {
  const summary = (await api.account.getAccountDetails('physical_address')).data;
  assert.equal(summary.organization_name, 'SDK Bakery');
  assert.equal(summary.physical_address.city, 'Salem');
  const privileges = (await api.account.getUserPrivileges()).data;
  assert.ok(privileges.some((p) => p.privilege_name === 'contacts:write' && Number.isInteger(p.privilege_id)));
  const updated = (await api.account.updateAccount({ organization_phone: '555-0142' })).data;
  assert.equal(updated.organization_phone, '555-0142');
  assert.equal((await api.account.getAccountDetails()).data.organization_phone, '555-0142');
  assert.equal((await api.account.getAccountPhysicalAddress()).data.postal_code, '01970');
  const added = await api.account.addAccountEmailAddress({ email_address: 'orders@sdk-bakery.test' });
  assert.equal(added.status, 201);
  assert.equal(added.data.confirm_status, 'UNCONFIRMED');
  const confirmed = (await api.account.getAllAccountEmailAddresses('CONFIRMED')).data;
  assert.deepEqual(confirmed.map((e) => e.email_address), [OWNER]);
  const all = (await api.account.getAllAccountEmailAddresses()).data;
  assert.deepEqual(all.map((e) => e.email_address).sort(), ['orders@sdk-bakery.test', OWNER]);
});

check('demo account (seed "demo")', async ({ demo }) => {
  const summary = (await demo.account.getAccountDetails('physical_address')).data;
  assert.equal(summary.organization_name, 'Sandbox Bakery');
  assert.equal(summary.physical_address.city, 'Waltham');
  const confirmed = (await demo.account.getAllAccountEmailAddresses('CONFIRMED')).data;
  assert.deepEqual(confirmed.map((e) => e.email_address), ['owner@sandbox.test']);
});

check('lists, custom fields, tags, contacts', async ({ api }) => {
  const list = (await api.lists.createList({ name: 'SDK regulars', favorite: true, description: 'from the SDK' })).data;
  assert.match(list.list_id, /^[0-9a-f-]{36}$/);
  assert.equal((await api.lists.getList(list.list_id)).data.name, 'SDK regulars');
  assert.equal((await api.lists.updateList(list.list_id, { name: 'SDK VIPs' })).data.name, 'SDK VIPs');
  const lists = (await api.lists.getAllLists(50, true, 'all')).data;
  assert.equal(lists.lists_count, 1);
  assert.equal(lists.lists[0].membership_count, 0);

  const field = (await api.fields.createCustomFields({ label: 'Loaf size', type: 'string' })).data;
  assert.equal(field.name, 'Loaf_size');
  assert.equal((await api.fields.getCustomField(field.custom_field_id)).data.label, 'Loaf size');
  assert.equal((await api.fields.updateCustomField(field.custom_field_id, { label: 'Loaf' })).data.label, 'Loaf');
  assert.equal((await api.fields.getAllCustomFields(10)).data.custom_fields.length, 1);

  const tag = (await api.tags.postTag({ name: 'wholemeal', tag_source: 'Contact' })).data;
  assert.equal((await api.tags.putTag(tag.tag_id, { name: 'spelt' })).data.name, 'spelt');

  const created = (await api.contacts.createContact({
    email_address: { address: 'sdk@example.com', permission_to_send: 'explicit' },
    first_name: 'Sasha', create_source: 'Account', list_memberships: [list.list_id], taggings: [tag.tag_id],
    custom_fields: [{ custom_field_id: field.custom_field_id, value: 'large' }],
    phone_numbers: [{ phone_number: '555-0101', kind: 'mobile' }],
  })).data;
  assert.equal(created.email_address.permission_to_send, 'explicit');
  const id = created.contact_id;
  const fetched = (await api.contacts.getContactById(id, 'list_memberships,custom_fields,taggings')).data;
  assert.deepEqual(fetched.list_memberships, [list.list_id]);
  assert.equal(fetched.custom_fields[0].value, 'large');
  assert.equal((await api.tags.getTag(tag.tag_id, true)).data.contacts_count, 1);

  const updated = (await api.contacts.updateContact(id, {
    email_address: { address: 'sdk@example.com', permission_to_send: 'unsubscribed' }, update_source: 'Contact',
    first_name: 'Sasha', last_name: 'Loaf' })).data;
  assert.equal(updated.email_address.opt_out_source, 'Contact');
  const unsubscribed = (await api.contacts.getAllContacts('unsubscribed')).data;
  assert.equal(unsubscribed.contacts.length, 1);
  const counts = (await api.contacts.getContactCounts()).data;
  assert.equal(counts.unsubscribed, 1);
  assert.equal((await api.contacts.resubscribeContact(id, { list_ids: [list.list_id] })).status, 200);
  await assert.rejects(api.contacts.resubscribeContact(id, { list_ids: [list.list_id] }),
                       (error) => error.response.status === 409);

  const signup = (await api.contacts.createOrUpdateContact({
    email_address: 'form@example.com', first_name: 'Form', list_memberships: [list.list_id] }));
  assert.equal(signup.status, 201);
  assert.equal(signup.data.action, 'created');

  const page = (await api.contacts.getAllContacts(undefined, undefined, list.list_id, undefined, undefined, undefined,
    undefined, undefined, undefined, undefined, undefined, 'list_memberships', undefined, true, 1)).data;
  assert.equal(page.contacts.length, 1);
  assert.equal(page.contacts_count, 2);
  assert.match(page._links.next.href, /^\/v3\/contacts\?cursor=/);

  assert.equal((await api.contacts.deleteContact(id)).status, 204);
  const deleted = (await api.contacts.getAllContacts('deleted')).data;
  assert.equal(deleted.contacts[0].contact_id, id);

  assert.equal((await api.tags.deleteTag(tag.tag_id)).status, 202);
  await assert.rejects(api.tags.getTag(tag.tag_id), notFound);
  assert.equal((await api.fields.deleteCustomField(field.custom_field_id)).status, 204);
  await assert.rejects(api.fields.getCustomField(field.custom_field_id), notFound);
  assert.equal((await api.fields.getAllCustomFields(10)).data.custom_fields.length, 0);
  const removal = (await api.lists.deleteList(list.list_id)).data;
  // The answer itself is the completed activity, and the SDK can poll it like any other.
  assert.equal(removal.state, 'completed');
  assert.equal((await api.bulk.getActivityById(removal.activity_id)).data.state, 'completed');
  await assert.rejects(api.lists.getList(list.list_id), notFound);
  // The signed-up contact was only on the deleted list: it is on none now.
  const signedUp = (await api.contacts.getContactById(signup.data.contact_id, 'list_memberships,taggings,custom_fields')).data;
  assert.deepEqual(signedUp.list_memberships ?? [], []);
});

check('bulk import and activity status', async ({ api }) => {
  const list = (await api.lists.createList({ name: 'Imported' })).data;
  const posted = await api.bulk.createImportJSONActivity({
    import_data: [{ email: 'one@example.com', first_name: 'One' }, { email: 'two@example.com' }, { email: 'bad' }],
    list_ids: [list.list_id] });
  assert.equal(posted.status, 201);
  const activity = (await api.bulk.getActivityById(posted.data.activity_id)).data;
  assert.equal(activity.state, 'completed');
  assert.equal(activity.status.person_count, 2);
  assert.equal(activity.status.correctable_count, 1);
  const all = (await api.bulk.getAllActivities(50)).data;
  assert.ok(all.activities.some((a) => a.activity_id === posted.data.activity_id));
  const members = (await api.lists.getList(list.list_id, 'all')).data;
  assert.equal(members.membership_count, 2);
});

check('CSV file import and contact export', async ({ api }) => {
  const list = (await api.lists.createList({ name: 'SDK file import' })).data;
  const csv = 'email,first_name\nfile1@example.com,Fay\nfile2@example.com,"Gil, Jr."\n';
  const started = await api.bulk.createCSVImportActivity(new File([csv], 'contacts.csv', { type: 'text/csv' }),
                                                         list.list_id);
  assert.equal(started.status, 201);
  const done = (await api.bulk.getActivityById(started.data.activity_id)).data;
  assert.equal(done.status.person_count, 2);
  const exported = (await api.bulk.createExportActivity({ list_ids: [list.list_id], fields: ['email_address', 'first_name'] })).data;
  const status = (await api.bulk.getActivityById(exported.activity_id)).data;
  assert.equal(status.state, 'completed');
  assert.equal(status.status.items_total_count, 2);
  const file = (await api.bulk.getCSVExportFile(exported.activity_id)).data;
  assert.match(file, /^email_address,first_name\r\n/);
  assert.match(file, /file2@example\.com,"Gil, Jr\."/);
});

check('social (seed "demo")', async ({ demo: api }) => {
  const connections = (await api.social.getSocialConnections()).data.connections;
  const linkedin = connections.find((c) => c.account_info.network === 'linkedin');
  assert.equal(linkedin.connection_status.token_is_valid, false);
  const profiles = (await api.social.getSocialProfiles('accessible')).data;
  assert.equal(profiles.find((p) => p.profile_id === 'fb-page-1').accessible, true);
  const groups = (await api.social.getHashtagGroups(5, 0)).data;
  assert.deepEqual(groups.hashtag_groups[0].hashtag_names, ['sourdough', 'rye', 'baking']);
  const post = (await api.social.createSocialPost({ name: 'SDK post', status: 'SCHEDULED',
    profile_posts: [{ text: 'Hello from the SDK', profiles: [{ profile_id: 'fb-page-1' }] }] })).data;
  assert.equal(post.status, 'DONE');
  assert.match(post.profile_posts[0].profiles[0].post_url, /^https:\/\/facebook\.example\/posts\//);
});

check('email campaigns and schedules', async ({ api, base }) => {
  const list = (await api.lists.createList({ name: 'SDK newsletter' })).data;
  await api.contacts.createContact({ email_address: { address: 'reader@example.com', permission_to_send: 'explicit' },
    create_source: 'Account', list_memberships: [list.list_id] });
  const content = { format_type: 5, from_name: 'Sandbox Bakery', from_email: OWNER,
    reply_to_email: OWNER, subject: 'SDK news',
    html_content: '<html><body>Hello [[trackingImage]]</body></html>' };
  const created = await api.emails.createEmailCampaign({ name: 'SDK campaign', email_campaign_activities: [content] });
  assert.equal(created.status, 200);
  assert.equal(created.data.current_status, 'Draft');
  const primary = created.data.campaign_activities.find((a) => a.role === 'primary_email').campaign_activity_id;
  const renamed = (await api.emails.patchEmailCampaignName(created.data.campaign_id, { name: 'SDK campaign 2' })).data;
  assert.equal(renamed.name, 'SDK campaign 2');
  const updated = (await api.emails.updateEmailCampaignActivity(primary,
    { ...content, contact_list_ids: [list.list_id] })).data;
  assert.deepEqual(updated.contact_list_ids, [list.list_id]);
  const fetched = (await api.emails.getEmailCampaignActivity(primary, 'html_content')).data;
  assert.match(fetched.html_content, /trackingImage/);
  assert.equal((await api.scheduling.getEmailCampaignActivityPreview(primary)).data.preview_text_content, 'Hello');
  assert.equal((await api.scheduling.testSendEmailCampaignActivity(primary,
    { email_addresses: ['proof@example.com'] })).status, 204);
  const when = new Date(Date.now() + 3600e3).toISOString();
  const scheduled = (await api.scheduling.scheduleEmailCampaignActivity(primary, { scheduled_date: when })).data;
  assert.equal(scheduled.length, 1);
  assert.equal((await api.scheduling.getEmailCampaignActivitySchedule(primary)).data.length, 1);
  assert.equal((await api.emails.getEmailCampaignById(created.data.campaign_id)).data.current_status, 'Scheduled');
  await api.scheduling.unscheduleEmailCampaignActivity(primary);
  assert.deepEqual((await api.scheduling.getEmailCampaignActivitySchedule(primary)).data, []);
  assert.equal((await api.emails.getEmailCampaignById(created.data.campaign_id)).data.current_status, 'Draft');
  assert.deepEqual((await api.scheduling.scheduleEmailCampaignActivity(primary, { scheduled_date: '0' })).data, []);
  await post(`${base}/__sandbox/clock/advance`, { seconds: 60 }, true);
  const history = (await api.scheduling.getEmailCampaignActivitySendHistory(primary)).data;
  assert.equal(history[0].count, 1);
  assert.equal((await api.emails.getEmailCampaignById(created.data.campaign_id)).data.current_status, 'Done');
  const all = (await api.emails.getAllEmailCampaigns(10)).data;
  assert.ok(all.campaigns.some((c) => c.name === 'SDK campaign 2'));
  const other = (await api.emails.createEmailCampaign({ name: 'SDK throwaway', email_campaign_activities: [content] })).data;
  assert.equal((await api.emails.deleteEmailCampaign(other.campaign_id)).status, 204);
  assert.equal((await api.emails.getEmailCampaignById(other.campaign_id)).data.current_status, 'Removed');
});

check('V2 id cross-references', async ({ api }) => {
  // The sandbox's V2 ids: a contact's creation number; a list's or campaign's first 10 hex digits.
  const v2Of = (uuid) => String(parseInt(uuid.replace(/-/g, '').slice(0, 10), 16));
  const contact = (await api.contacts.createContact({ email_address: { address: 'v2@example.com' },
    create_source: 'Account' })).data;
  const upTo500 = Array.from({ length: 500 }, (_, i) => i + 1).join(',');
  const contacts = (await api.contacts.getContactIdXrefs(upTo500)).data.xrefs;
  assert.ok(contacts.some((x) => x.contact_id === contact.contact_id && /^[0-9]+$/.test(x.sequence_id)));
  const list = (await api.lists.createList({ name: 'SDK V2 list' })).data;
  const lists = (await api.lists.getListIdXrefs(`${v2Of(list.list_id)},1`)).data.xrefs;
  assert.deepEqual(lists, [{ sequence_id: v2Of(list.list_id), list_id: list.list_id }]);
  const campaign = (await api.emails.createEmailCampaign({ name: 'SDK V2 campaign', email_campaign_activities: [{
    format_type: 5, from_name: 'SDK Bakery', from_email: OWNER, reply_to_email: OWNER,
    subject: 'V2', html_content: '<html><body>Hi [[trackingImage]]</body></html>' }] })).data;
  const campaigns = (await api.emails.getEmailCampaignXrefs(v2Of(campaign.campaign_id))).data.xrefs;
  assert.equal(campaigns.length, 1);
  assert.equal(campaigns[0].campaign_id, campaign.campaign_id);
  assert.equal(campaigns[0].campaign_activity_id,
    campaign.campaign_activities.find((a) => a.role === 'primary_email').campaign_activity_id);
});

check('errors come back in CC shape', async ({ api }) => {
  await assert.rejects(api.contacts.createContact({ first_name: 'No source' }), (error) => {
    assert.equal(error.response.status, 400);
    assert.equal(error.response.data[0].error_key, 'contacts.api.validation.error');
    return true;
  });
  await assert.rejects(api.contacts.getContactById('00000000-0000-4000-8000-000000000000'),
                       (error) => error.response.status === 404);
});

for (const [name, fn] of bulkChecks) check(name, fn);

// Both sandboxes are stopped on every path, including a failed start or setup.
let sdkSandbox;
let demoSandbox;
let failures = 0;
try {
  sdkSandbox = await startSandbox(binary, ['--seed', 'empty']);
  demoSandbox = await startSandbox(binary, ['--seed', 'demo']);
  const context = {
    base: sdkSandbox.base,
    api: apis(await sdkAccount(sdkSandbox.base), sdkSandbox.base),
    demo: apis(await deviceToken(demoSandbox.base, 'sandbox-public'), demoSandbox.base),
    notFound,
  };
  for (const { name, fn } of checks) {
    try {
      await fn(context);
      console.log(`ok - ${name}`);
    } catch (error) {
      failures++;
      console.error(`not ok - ${name}\n`, error?.response?.data ?? '', error);
    }
  }
} catch (error) {
  failures++;
  console.error('not ok - set-up\n', error);
} finally {
  await Promise.all([stopSandbox(sdkSandbox?.child), stopSandbox(demoSandbox?.child)]);
}
process.exit(failures ? 1 : 0);
