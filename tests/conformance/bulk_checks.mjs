// SDK conformance for the bulk activities beyond imports and exports: list add/remove, tag
// add/remove, contact_delete, custom_fields_delete, contacts_tags_delete and list_delete. Each
// waits for its activity to complete and asserts on the contacts, lists, tags and fields
// afterwards, not only on the status code.
import assert from 'node:assert/strict';

async function completed(api, posted) {
  assert.equal(posted.status, 201, JSON.stringify(posted.data));
  const activity = (await api.bulk.getActivityById(posted.data.activity_id)).data;
  assert.equal(activity.state, 'completed', JSON.stringify(activity));
  return activity;
}

async function contact(api, id) {
  return (await api.contacts.getContactById(id, 'list_memberships,taggings,custom_fields')).data;
}

async function members(api, listId) {
  return (await api.lists.getList(listId, 'all')).data.membership_count;
}

export const bulkChecks = [
  ['bulk list, tag, contact, field, tag and list deletes', async ({ api, notFound }) => {
    const regulars = (await api.lists.createList({ name: 'Bulk regulars' })).data.list_id;
    const weekly = (await api.lists.createList({ name: 'Bulk weekly' })).data.list_id;
    const tag = (await api.tags.postTag({ name: 'bulk-tag' })).data.tag_id;
    const field = (await api.fields.createCustomFields({ label: 'Bulk crust', type: 'string' })).data.custom_field_id;
    const make = async (address, permission) => (await api.contacts.createContact({
      email_address: { address, permission_to_send: permission }, create_source: 'Account',
      list_memberships: [regulars], custom_fields: [{ custom_field_id: field, value: 'dark' }] })).data.contact_id;
    const ann = await make('bulk-ann@example.com', 'explicit');
    const ben = await make('bulk-ben@example.com', 'implicit');
    const quit = await make('bulk-quit@example.com', 'unsubscribed');

    // Add: everyone on `regulars` onto `weekly`, except the unsubscribed contact.
    await completed(api, await api.bulk.createListAddActivity({ source: { list_ids: [regulars] }, list_ids: [weekly] }));
    assert.equal(await members(api, weekly), 2);
    assert.deepEqual((await contact(api, ann)).list_memberships.sort(), [regulars, weekly].sort());
    assert.deepEqual((await contact(api, quit)).list_memberships, [regulars]);  // not added to weekly

    // Remove: Ann from `weekly` only.
    await completed(api, await api.bulk.createListRemoveActivity({ source: { contact_ids: [ann] }, list_ids: [weekly] }));
    assert.deepEqual((await contact(api, ann)).list_memberships, [regulars]);
    assert.deepEqual((await contact(api, ben)).list_memberships.sort(), [regulars, weekly].sort());

    // Tag everyone on `weekly` (Ben), then Ann by id; untag Ben.
    await completed(api, await api.bulk.createTagAddContactActivity({ source: { list_ids: [weekly] }, tag_ids: [tag] }));
    assert.deepEqual((await contact(api, ben)).taggings, [tag]);
    assert.deepEqual((await contact(api, ann)).taggings ?? [], []);
    await completed(api, await api.bulk.createTagAddContactActivity({ source: { contact_ids: [ann] }, tag_ids: [tag] }));
    assert.equal((await api.tags.getTag(tag, true)).data.contacts_count, 2);
    await completed(api, await api.bulk.createTagRemoveActivity({ source: { contact_ids: [ben] }, tag_ids: [tag] }));
    assert.deepEqual((await contact(api, ben)).taggings ?? [], []);
    assert.equal((await api.tags.getTag(tag, true)).data.contacts_count, 1);

    // Delete Ben: soft, so he is listed under `deleted` and off every list.
    await completed(api, await api.bulk.createDeleteActivity({ contact_ids: [ben] }));
    const deleted = (await api.contacts.getAllContacts('deleted')).data.contacts.map((c) => c.contact_id);
    assert.ok(deleted.includes(ben) && !deleted.includes(ann), JSON.stringify(deleted));
    assert.equal(await members(api, weekly), 0);

    // Delete the field: gone, and its values with it.
    assert.equal((await contact(api, ann)).custom_fields[0].value, 'dark');
    await completed(api, await api.bulk.postCustomFieldDelete({ custom_field_ids: [field] }));
    await assert.rejects(api.fields.getCustomField(field), notFound);
    assert.deepEqual((await contact(api, ann)).custom_fields ?? [], []);

    // Delete the tag: gone, and Ann untagged.
    await completed(api, await api.bulk.createTagDeleteActivity({ tag_ids: [tag] }));
    await assert.rejects(api.tags.getTag(tag), notFound);
    assert.deepEqual((await contact(api, ann)).taggings ?? [], []);

    // Delete both lists: gone, and Ann on no list.
    await completed(api, await api.bulk.createListDeleteActivity({ list_ids: [regulars, weekly] }));
    await assert.rejects(api.lists.getList(regulars), notFound);
    await assert.rejects(api.lists.getList(weekly), notFound);
    assert.deepEqual((await contact(api, ann)).list_memberships ?? [], []);
  }],
];
