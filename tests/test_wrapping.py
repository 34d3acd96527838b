"""The render stage marks what a reader copies so it wraps without hyphens or added characters."""

from __future__ import annotations

import pytest

from guide.wrapping import breakable, mark_wrapping

ZW = "&#8203;"
WJ = "&#8288;"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("https://x.org/a", "https://\u200bx\u200b.org/\u200ba"),
        ("a-b", "a\u200b-\u2060b"),
        ("some_long_name", "some\u200b_long\u200b_name"),
        ("jo.doe@example.com", "jo\u200b.doe\u200b@example\u200b.com"),
        ("C:\\Users\\me", "C:\\\u200bUsers\\\u200bme"),
        ("a--b", "a\u200b-\u2060-\u2060b"),
        ("f(x,y)", "f(x,\u200by)"),
        ("plain", "plain"),
    ],
)
def test_break_opportunities_sit_at_punctuation_and_never_after_a_hyphen(token: str, expected: str) -> None:
    assert breakable(token) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (  # a bare URL in prose: spanned, breakable, its sentence's full stop left outside
            "<p>See https://x.org/a-b.html.</p>",
            f'<p>See <span class="copyable">https://{ZW}x{ZW}.org/{ZW}a{ZW}-{WJ}b{ZW}.html</span>.</p>',
        ),
        (  # an e-mail address and a path
            "<p>Mail jo.doe@example.com about /usr/local/bin.</p>",
            f'<p>Mail <span class="copyable">jo{ZW}.doe{ZW}@example{ZW}.com</span> about '
            f'<span class="copyable">/{ZW}usr/{ZW}local/{ZW}bin</span>.</p>',
        ),
        (  # link text that is an address; link text in words is left alone
            '<p><a href="https://x.org/a">https://x.org/a</a> and <a href="#b">the guide</a></p>',
            f'<p><a href="https://x.org/a"><span class="copyable">https://{ZW}x{ZW}.org/{ZW}a</span></a>'
            ' and <a href="#b">the guide</a></p>',
        ),
        (  # a URL in brackets keeps the bracket it opened
            "<p>(see https://x.org/a_(b))</p>",
            f'<p>(see <span class="copyable">https://{ZW}x{ZW}.org/{ZW}a{ZW}_(b)</span>)</p>',
        ),
        (  # a run of 30 characters without a space
            "<td>" + "K" * 30 + "</td>",
            '<td><span class="copyable">' + "K" * 30 + "</span></td>",
        ),
        (  # long inline code breaks at its punctuation; short code is left as written
            "<p><code>mod.long_function_name()</code> or <code>ls -l</code></p>",
            f"<p><code>mod{ZW}.long{ZW}_function{ZW}_name()</code> or <code>ls -l</code></p>",
        ),
        (  # a code block: one span per line, newlines kept, escapes kept
            '<pre><code class="language-py">a = 1 &lt; 2\n\nprint(a)\n</code></pre>',
            '<pre><code class="language-py"><span class="code-line">a = 1 &lt; 2\n</span>'
            '<span class="code-line">\n</span><span class="code-line">print(a)\n</span></code></pre>',
        ),
        (  # a bare <pre> without a final newline
            "<pre>x\ny</pre>",
            '<pre><span class="code-line">x\n</span><span class="code-line">y</span></pre>',
        ),
        (  # a <pre> with markup inside is left as written
            "<pre><b>x</b>\nhttps://x.org/a</pre>",
            "<pre><b>x</b>\nhttps://x.org/a</pre>",
        ),
        (  # headings feed bookmarks and running heads: left alone
            "<h2>See https://x.org/a/b</h2>",
            "<h2>See https://x.org/a/b</h2>",
        ),
        (  # everything else byte for byte: entities, void elements, attributes, comments
            '<p>Tom &amp; Jerry&#8217;s &rsquo;<br><img src="a.png" alt="a > b"><!-- x --></p>',
            '<p>Tom &amp; Jerry&#8217;s &rsquo;<br><img src="a.png" alt="a > b"><!-- x --></p>',
        ),
    ],
)
def test_mark_wrapping(html: str, expected: str) -> None:
    assert mark_wrapping(html) == expected
