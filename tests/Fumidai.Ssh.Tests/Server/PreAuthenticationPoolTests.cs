using System.Net;
using Fumidai.Ssh.Server;

namespace Fumidai.Ssh.Tests.Server;

/// <summary>Who gives up a slot when the unauthenticated pool is full, and how sources are keyed.</summary>
public sealed class PreAuthenticationPoolTests
{
    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    [InlineData("fe80::1%3", "fe80::/64")]
    public void Sources_are_IPv4_addresses_and_IPv6_slash_64s(string address, string key) =>
        Assert.Equal(key, SourceKey.Of(IPAddress.Parse(address)));

    [Fact]
    public void Two_addresses_in_one_IPv6_slash_64_are_one_source_and_the_next_slash_64_another()
    {
        Assert.Equal(SourceKey.Of(IPAddress.Parse("2001:db8::1")), SourceKey.Of(IPAddress.Parse("2001:db8::ffff:1")));
        Assert.NotEqual(SourceKey.Of(IPAddress.Parse("2001:db8::1")), SourceKey.Of(IPAddress.Parse("2001:db8:0:1::1")));
        Assert.Equal("198.51.100.1", SourceKey.Of(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 22)));
    }

    [Fact]
    public void One_source_may_fill_the_pool_while_nobody_else_connects()
    {
        var pool = new PreAuthenticationPool(100);
        for (int i = 0; i < 100; i++)
        {
            Assert.NotNull(pool.TryAdmit("192.0.2.1", out var evicted));
            Assert.Null(evicted);
        }
        Assert.Equal(100, pool.Count);
    }

    [Fact]
    public void When_full_a_newcomer_from_the_largest_source_is_refused()
    {
        var pool = new PreAuthenticationPool(3);
        var held = Enumerable.Range(0, 3).Select(i => pool.TryAdmit("192.0.2.1", out _)!).ToList();

        Assert.Null(pool.TryAdmit("192.0.2.1", out var evicted));
        Assert.Null(evicted);
        Assert.All(held, s => Assert.False(s.Evicted.IsCancellationRequested));
    }

    [Fact]
    public void When_full_another_source_gets_in_and_the_largest_source_loses_its_oldest()
    {
        var pool = new PreAuthenticationPool(4);
        var a = Enumerable.Range(0, 3).Select(i => pool.TryAdmit("192.0.2.1", out _)!).ToList();
        var b = pool.TryAdmit("2001:db8::/64", out _)!;

        var c = pool.TryAdmit("198.51.100.9", out var evicted);

        Assert.NotNull(c);
        Assert.Same(a[0], evicted);
        Assert.True(a[0].Evicted.IsCancellationRequested);
        Assert.False(a[1].Evicted.IsCancellationRequested);
        Assert.False(b.Evicted.IsCancellationRequested);
        Assert.Equal(4, pool.Count);
        Assert.Equal(2, pool.CountOf("192.0.2.1"));
    }

    [Fact]
    public void Shares_even_out_and_then_each_source_keeps_what_it_has()
    {
        var pool = new PreAuthenticationPool(4);
        for (int i = 0; i < 4; i++) pool.TryAdmit("a", out _);
        Assert.NotNull(pool.TryAdmit("b", out _));
        Assert.NotNull(pool.TryAdmit("b", out _));
        Assert.Equal(2, pool.CountOf("a"));
        Assert.Equal(2, pool.CountOf("b"));
        // Two each: a third from either is refused, while a new source still gets in.
        Assert.Null(pool.TryAdmit("b", out _));
        Assert.Null(pool.TryAdmit("a", out _));
        Assert.NotNull(pool.TryAdmit("c", out var evicted));
        Assert.Equal("a", evicted!.Source);
    }

    [Fact]
    public void A_released_slot_is_free_again_and_releasing_twice_is_harmless()
    {
        var pool = new PreAuthenticationPool(1);
        var slot = pool.TryAdmit("a", out _)!;
        pool.Release(slot);
        pool.Release(slot);
        Assert.Equal(0, pool.Count);
        Assert.NotNull(pool.TryAdmit("a", out var evicted));
        Assert.Null(evicted);
        Assert.False(slot.Evicted.IsCancellationRequested);
    }
}
