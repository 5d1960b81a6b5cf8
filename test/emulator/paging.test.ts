import {expect} from 'chai';
import {useEmulator} from '../helpers/emulator.js';
import {expectValid} from '../helpers/oai.js';

const BASE = '/conversations/v1/Configuration/Addresses';
const TOTAL = 230; // 5 pages of 50 (last one partial)
const WA_EVERY = 3; // every 3rd one is whatsapp

interface Meta {
  page: number;
  page_size: number;
  first_page_url: string;
  previous_page_url: string | null;
  url: string;
  next_page_url: string | null;
  key: string;
}

describe('emulator: paging (Twilio list envelope)', () => {
  const t = useEmulator();
  const addresses: string[] = [];
  const sids: string[] = [];
  const configs = () => t.client.conversations.v1.addressConfigurations;

  before(async () => {
    for (let i = 0; i < TOTAL; i++) {
      const wa = i % WA_EVERY === 0;
      const address = wa ? `whatsapp:+1666${String(1_000_000 + i)}` : `+1777${String(1_000_000 + i)}`;
      const body = await t.expect(201, 'POST', BASE, {form: {Type: wa ? 'whatsapp' : 'sms', Address: address}, validate: i < 3});
      addresses.push(address);
      sids.push(body.sid);
    }
  });

  /** Follow next_page_url from `first` to the end, validating every page; returns the pages. */
  async function walk(first: string, query?: Record<string, string | number>): Promise<{meta: Meta; items: {sid: string; type: string}[]}[]> {
    const pages = [];
    let res = await t.expect(200, 'GET', first, {query});
    for (;;) {
      pages.push({meta: res.meta as Meta, items: res.address_configurations});
      if (!res.meta.next_page_url) break;
      expect(res.meta.next_page_url.startsWith(`${t.url}${BASE}?`), res.meta.next_page_url).to.equal(true);
      res = await t.expect(200, 'GET', res.meta.next_page_url);
      if (pages.length > 100) throw new Error('paging does not end');
    }
    return pages;
  }

  describe('SDK', () => {
    it('list() walks every page, in creation order, every page validated on the wire', async () => {
      const before = t.wire.exchanges.length;
      const all = await configs().list();
      expect(all.map((c) => c.sid)).to.deep.equal(sids);
      const pages = t.wire.exchanges.slice(before);
      expect(pages).to.have.length(Math.ceil(TOTAL / 50));
      expect(pages.every((p) => p.statusCode === 200)).to.equal(true);
      // first request has no PageSize (SDK default), the others are the next_page_url verbatim
      expect(pages[0].params).to.deep.equal({});
      expect((pages[1].body as {meta: Meta}).meta.page).to.equal(1);
    });

    it('PageSize above 50 is clamped to 50 (the SDK keeps following next_page_url)', async () => {
      const before = t.wire.exchanges.length;
      const all = await configs().list({pageSize: 1000});
      expect(all).to.have.length(TOTAL);
      const first = t.wire.exchanges[before];
      expect(first.params).to.deep.include({PageSize: 1000});
      const meta = (first.body as {meta: Meta}).meta;
      expect(meta.page_size).to.equal(50);
      expect(meta.url).to.equal(`${t.url}${BASE}?PageSize=50&Page=0`);
    });

    it('limit stops early; each() visits every record once', async () => {
      const some = await configs().list({limit: 120});
      expect(some.map((c) => c.sid)).to.deep.equal(sids.slice(0, 120));
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        configs().each({pageSize: 33}, (item, done) => {
          seen.push(item.sid);
          if (seen.length === TOTAL) done();
        });
        // each() has no promise; poll until it is done
        const deadline = Date.now() + 10000;
        const timer = setInterval(() => {
          if (seen.length >= TOTAL) {
            clearInterval(timer);
            resolve();
          } else if (Date.now() > deadline) {
            clearInterval(timer);
            reject(new Error(`each() saw ${seen.length}`));
          }
        }, 10);
      });
      expect(seen).to.deep.equal(sids);
    });

    it('page() / nextPage() / previousPage() with a filter', async () => {
      const p1 = await configs().page({pageSize: 20, type: 'whatsapp'});
      expect(p1.instances).to.have.length(20);
      expect(p1.instances.every((c) => c.type === 'whatsapp')).to.equal(true);
      const p2 = await p1.nextPage();
      expect(p2).to.not.equal(undefined);
      expect(p2!.instances[0].sid).to.not.equal(p1.instances[0].sid);
      expect(p2!.nextPageUrl).to.include('Type=whatsapp');
      const back = await p2!.previousPage();
      expect(back!.instances.map((c) => c.sid)).to.deep.equal(p1.instances.map((c) => c.sid));
    });
  });

  describe('raw next_page_url', () => {
    it('walks with PageSize=40: meta fields, absolute emulator URLs, last page ends', async () => {
      const pages = await walk(BASE, {PageSize: 40});
      expect(pages).to.have.length(Math.ceil(TOTAL / 40));
      expect(pages.flatMap((p) => p.items.map((i) => i.sid))).to.deep.equal(sids);
      pages.forEach(({meta}, i) => {
        expect(meta.page).to.equal(i);
        expect(meta.page_size).to.equal(40);
        expect(meta.key).to.equal('address_configurations');
        expect(meta.first_page_url).to.equal(`${t.url}${BASE}?PageSize=40&Page=0`);
        expect(meta.url.startsWith(`${t.url}${BASE}?PageSize=40&Page=${i}`)).to.equal(true);
        if (i === 0) expect(meta.previous_page_url).to.equal(null);
        else expect(meta.previous_page_url).to.match(new RegExp(`^${t.url}${BASE}\\?PageSize=40&Page=${i - 1}&PageToken=`));
        if (i < pages.length - 1) expect(meta.next_page_url).to.match(new RegExp(`Page=${i + 1}&PageToken=`));
      });
      expect(pages.at(-1)!.meta.next_page_url).to.equal(null);
      expect(pages.at(-1)!.items).to.have.length(TOTAL % 40 || 40);
    });

    it('meta.url of a followed page is the URL that was requested', async () => {
      const p0 = await t.expect(200, 'GET', BASE, {query: {PageSize: 7}});
      const p1 = await t.expect(200, 'GET', p0.meta.next_page_url);
      expect(p1.meta.url).to.equal(p0.meta.next_page_url);
    });

    it('previous_page_url goes back to the same records', async () => {
      const p0 = await t.expect(200, 'GET', BASE, {query: {PageSize: 25}});
      const p1 = await t.expect(200, 'GET', p0.meta.next_page_url);
      const p2 = await t.expect(200, 'GET', p1.meta.next_page_url);
      const back1 = await t.expect(200, 'GET', p2.meta.previous_page_url);
      expect(back1.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(
        p1.address_configurations.map((c: {sid: string}) => c.sid),
      );
      expect(back1.meta.page).to.equal(1);
      const back0 = await t.expect(200, 'GET', back1.meta.previous_page_url);
      expect(back0.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(sids.slice(0, 25));
      expect(back0.meta.page).to.equal(0);
      expect(back0.meta.previous_page_url).to.equal(null);
      // and forward again from a page reached backwards
      const again1 = await t.expect(200, 'GET', back0.meta.next_page_url);
      expect(again1.address_configurations[0].sid).to.equal(sids[25]);
    });

    it('filters are kept in every page URL; only matching records come back', async () => {
      const pages = await walk(BASE, {Type: 'whatsapp', PageSize: 10});
      const wa = sids.filter((_s, i) => i % WA_EVERY === 0);
      expect(pages.flatMap((p) => p.items.map((i) => i.sid))).to.deep.equal(wa);
      for (const {meta, items} of pages) {
        expect(items.every((i) => i.type === 'whatsapp')).to.equal(true);
        for (const u of [meta.first_page_url, meta.url, meta.next_page_url, meta.previous_page_url])
          if (u) expect(new URL(u).searchParams.get('Type'), u).to.equal('whatsapp');
      }
    });

    it('Page=N without a token is an offset', async () => {
      const body = await t.expect(200, 'GET', BASE, {query: {PageSize: 10, Page: 3}});
      expect(body.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(sids.slice(30, 40));
      expect(body.meta.page).to.equal(3);
      expect(body.meta.previous_page_url).to.match(/Page=2&PageToken=/);
      const beyond = await t.expect(200, 'GET', BASE, {query: {PageSize: 50, Page: 99}});
      expect(beyond.address_configurations).to.deep.equal([]);
      expect(beyond.meta.next_page_url).to.equal(null);
    });

    it('records deleted between pages neither break nor shift the cursor', async () => {
      const p0 = await t.expect(200, 'GET', BASE, {query: {PageSize: 50}});
      // delete the first record of page 1 and the last of page 0
      await t.expect(204, 'DELETE', `${BASE}/${sids[50]}`);
      await t.expect(204, 'DELETE', `${BASE}/${sids[49]}`);
      const p1 = await t.expect(200, 'GET', p0.meta.next_page_url);
      expect(p1.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(sids.slice(51, 101));
      // put them back at the end (new sids) so the other tests still see TOTAL records
      const deleted = [sids[49], sids[50]];
      for (const i of [49, 50]) {
        const wa = i % WA_EVERY === 0;
        const body = await t.expect(201, 'POST', BASE, {form: {Type: wa ? 'whatsapp' : 'sms', Address: addresses[i]}});
        sids.push(body.sid);
        addresses.push(addresses[i]);
      }
      for (const d of deleted) {
        const i = sids.indexOf(d);
        sids.splice(i, 1);
        addresses.splice(i, 1);
      }
      const all = await configs().list();
      expect(all.map((c) => c.sid)).to.deep.equal(sids);
    });

    it('a bare PageToken (no Page) still links back', async () => {
      const p0 = await t.expect(200, 'GET', BASE, {query: {PageSize: 10}});
      const token = new URL(p0.meta.next_page_url).searchParams.get('PageToken')!;
      const p1 = await t.expect(200, 'GET', BASE, {query: {PageSize: 10, PageToken: token}});
      expect(p1.address_configurations[0].sid).to.equal(sids[10]);
      expect(p1.meta.previous_page_url).to.be.a('string');
      const back = await t.expect(200, 'GET', p1.meta.previous_page_url);
      expect(back.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(sids.slice(0, 10));
    });

    it('previous/next links only when records exist that way', async () => {
      // a filtered walk over a small, private set: the chat configs of this test
      const mine: string[] = [];
      for (let i = 0; i < 6; i++) mine.push((await t.expect(201, 'POST', BASE, {form: {Type: 'chat', Address: `paging-chat-${i}`}})).sid);
      const q = {Type: 'chat', PageSize: 2};
      const p0 = await t.expect(200, 'GET', BASE, {query: q});
      const p1 = await t.expect(200, 'GET', p0.meta.next_page_url);
      // everything before page 1 is deleted: page 1 has no previous page any more
      for (const sid of mine.slice(0, 2)) await t.expect(204, 'DELETE', `${BASE}/${sid}`);
      const p1again = await t.expect(200, 'GET', p1.meta.url);
      expect(p1again.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(mine.slice(2, 4));
      expect(p1again.meta.previous_page_url).to.equal(null);
      // everything after page 1 deleted: walking back to it from page 2 shows no next page
      const p2 = await t.expect(200, 'GET', p1again.meta.next_page_url);
      expect(p2.meta.next_page_url).to.equal(null);
      for (const sid of mine.slice(4)) await t.expect(204, 'DELETE', `${BASE}/${sid}`);
      // page 2's records are gone: its page is empty but still links back to page 1
      const p2empty = await t.expect(200, 'GET', p2.meta.url);
      expect(p2empty.address_configurations).to.deep.equal([]);
      const back = await t.expect(200, 'GET', p2empty.meta.previous_page_url);
      expect(back.address_configurations.map((c: {sid: string}) => c.sid)).to.deep.equal(mine.slice(2, 4));
      expect(back.meta.next_page_url).to.equal(null);
      expect(back.meta.previous_page_url).to.equal(null);
      for (const sid of mine.slice(2, 4)) await t.expect(204, 'DELETE', `${BASE}/${sid}`);
    });

    it('an empty list has one page with null next/previous', async () => {
      const body = await t.expect(200, 'GET', BASE, {query: {Type: 'email'}});
      expect(body.address_configurations).to.deep.equal([]);
      expect(body.meta).to.deep.include({page: 0, page_size: 50, previous_page_url: null, next_page_url: null});
      expectValid('GET', `${t.url}${BASE}`, 200, body);
    });
  });

  describe('invalid paging parameters → 400/20001', () => {
    for (const [name, query] of [
      ['PageSize=0', {PageSize: 0}],
      ['PageSize=-5', {PageSize: -5}],
      ['PageSize=abc', {PageSize: 'abc'}],
      ['Page=-1', {Page: -1}],
      ['PageToken=garbage', {PageToken: 'garbage'}],
      ['PageToken=PA', {PageToken: 'PA'}],
    ] as [string, Record<string, string | number>][]) {
      it(name, async () => {
        const res = await t.http('GET', BASE, {query});
        expect(res.status).to.equal(400);
        expect(res.body.code).to.equal(20001);
        expect(res.body.message).to.include(Object.keys(query)[0]);
      });
    }
  });
});
