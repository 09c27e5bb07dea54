import { describe, expect, it } from 'vitest';
import { accountTopics, bestSentences, mentionedNames } from '../../../src/domain/assistant/answer.ts';
import { htmlToMarkdown, toPassages } from '../../../src/domain/assistant/passages.ts';

describe('accountTopics', () => {
  it.each([
    ['How many Business Premium seats do we have, and when do they renew?', ['subscriptions']],
    ['Do we have open invoices?', ['invoices']],
    ['What is our Azure usage this month? show it', ['usage']],
    ['I bought too many licenses last month, can I get a refund?', []],
    ['How do I assign a license to a user?', []],
    ['How many seats does Fabrikam have?', []],
  ])('%s → %j', (question, topics) => {
    expect(accountTopics(question)).toEqual(topics);
  });
});

describe('mentionedNames', () => {
  it('prefers the name matching most distinctive words', () => {
    const names = ['Microsoft 365 Business Premium', 'Microsoft 365 Business Basic', 'Visio Plan 2'];
    expect(mentionedNames('how many business premium seats do we have', names)).toEqual([
      'Microsoft 365 Business Premium',
    ]);
    expect(mentionedNames('how many seats do we have', names)).toEqual([]);
  });
});

describe('passages', () => {
  it('splits Markdown at headings with unique anchors, leaving the title line out', () => {
    const passages = toPassages({
      id: 'doc',
      title: 'Guide',
      source: 'uploaded',
      format: 'markdown',
      text: '# Guide\n\nIntro text.\n\n## Step one\n\nDo **this**.\n\n## Step one\n\nAnd [that](https://x.example).\n\n```\n# not a heading\n```\n',
    });
    expect(passages.map((p) => [p.anchor, p.section, p.text])).toEqual([
      ['guide', 'Guide', 'Intro text.'],
      ['step-one', 'Step one', 'Do this.'],
      ['step-one-2', 'Step one', 'And that.\n\n# not a heading'],
    ]);
  });

  it('reads HTML without its scripts, styles or comments', () => {
    const { title, markdown } = htmlToMarkdown(
      '<title>T &amp; C</title><style>p{}</style><h1>Head</h1><!-- secret --><p>Body&nbsp;text<script>evil()</script></p>',
    );
    expect(title).toBe('T & C');
    expect(markdown).toBe('# Head\n\nBody text');
  });

  it('quotes the sentences sharing most words with the question', () => {
    const text = 'Seats can be added at any time. Removing seats is allowed within 7 days. Prices are net.';
    expect(bestSentences('when can I remove seats', text, 1)).toEqual(['Removing seats is allowed within 7 days.']);
  });
});
