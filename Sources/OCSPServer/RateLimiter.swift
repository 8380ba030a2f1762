#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOConcurrencyHelpers
import NIOCore
import OCSPRuntime
import Prometheus

/// `--rate-limit N/s` and `--rate-burst B`: how many signed answers a client gets.
package struct RateLimit: Sendable, Equatable {
    /// Tokens added a second.
    package var perSecond: Double
    /// The most tokens a bucket holds: what a client that was quiet may spend at once.
    package var burst: Int

    package init(perSecond: Double, burst: Int? = nil) {
        self.perSecond = perSecond
        self.burst = burst ?? Self.defaultBurst(perSecond)
    }

    /// Twice a second's tokens, at least 1: a client that checks two certificates at once (a TLS server and
    /// its issuer, say) is never refused for it.
    package static func defaultBurst(_ perSecond: Double) -> Int {
        max(1, Int((2 * perSecond).rounded(.up)))
    }

    /// `20/s`, `0.5/s`: the rate as log lines give it.
    package var text: String {
        perSecond == perSecond.rounded() && perSecond < 1e15 ? "\(Int(perSecond))/s" : "\(perSecond)/s"
    }

    /// `N/s`, `N/m` or `N` (a second), N above 0: `--rate-limit`'s text; nil when it is none of those.
    package init?(parsing text: String, burst: Int? = nil) {
        var number = Substring(text)
        var seconds = 1.0
        if number.hasSuffix("/s") {
            number = number.dropLast(2)
        } else if number.hasSuffix("/m") {
            number = number.dropLast(2)
            seconds = 60
        }
        guard let value = Double(number), value.isFinite, value > 0, value <= 1_000_000 else { return nil }
        self.init(perSecond: value / seconds, burst: burst)
    }
}

/// Whom a bucket belongs to: the TCP peer's address, an IPv6 one by its /64 prefix (one host, or one
/// customer of a provider, usually holds a whole /64, so a client cannot get more buckets by changing
/// its interface identifier). An IPv4-mapped IPv6 address (a dual-stack `[::]` listener) is its IPv4
/// address. `X-Forwarded-For` is never read: behind a proxy, every client is the proxy.
package struct RateLimitClient: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    /// Every address that is not IP (a unix socket) shares one bucket.
    static let other = RateLimitClient(high: .max, low: .max)

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address, in host order, as its mapped IPv6 form `::ffff:a.b.c.d`.
    init(ipv4 address: UInt32) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(address))
    }

    init(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4)?:
            self.init(ipv4: UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6)?:
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            self.init(ipv6: bytes)
        default:
            self = .other
        }
    }

    /// Sixteen bytes of an IPv6 address: its /64, or the IPv4 address it maps.
    init(ipv6 bytes: [UInt8]) {
        guard bytes.count == 16 else {
            self = .other
            return
        }
        let word = { (range: Range<Int>) in bytes[range].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        let high = word(0..<8)
        let low = word(8..<16)
        if high == 0 && low >> 32 == 0xFFFF {
            self.init(ipv4: UInt32(truncatingIfNeeded: low))
        } else {
            self.init(high: high, low: 0)
        }
    }
}

/// Token buckets, one per client (`RateLimitClient`), for the answers `serve` must sign now: requests with
/// a nonce, and requests without one that no kept response answers. Answers from the cache and repeated
/// from memory never ask it.
///
/// A bucket holds at most `burst` tokens and gains `perSecond` a second; a signed answer takes one, and a
/// request that finds none is answered `tryLater` with `Retry-After`. Only a bucket that is not full is
/// worth keeping (a full one is what a client without one gets), so a table whose stripe is full first
/// drops its full buckets; when a flood of distinct addresses has left none full, it drops others, which
/// only gives those clients a fresh burst. So the table never holds more than `capacity` buckets (about
/// 60 bytes each).
///
/// Striped: `stripeCount` dictionaries, each behind its own lock, picked by the client's hash. A worker
/// thread takes the token (the answer is known to need a signature only there), and the event loops look
/// at a client's bucket before handing it a nonce request; with 64 stripes two threads rarely want the
/// same lock at once, and each hold is one dictionary access.
package final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        /// `RunClock.monotonicNanoseconds()` when `tokens` was last worked out.
        var updated: Int64
    }

    struct Stripe {
        var buckets: [RateLimitClient: Bucket] = [:]
    }

    static let stripeCount = 64
    package let limit: RateLimit
    /// The most buckets the table holds.
    let capacity: Int
    private let perStripe: Int
    private let stripes: [NIOLockedValueBox<Stripe>]
    /// `ocsp_rate_limited_total`.
    private let refusals: Counter?

    package init(_ limit: RateLimit, capacity: Int = 65_536, refusals: Counter? = nil) {
        self.limit = limit
        self.perStripe = max(8, capacity / Self.stripeCount)
        self.capacity = perStripe * Self.stripeCount
        self.stripes = (0..<Self.stripeCount).map { _ in NIOLockedValueBox(Stripe()) }
        self.refusals = refusals
    }

    private func stripe(of client: RateLimitClient) -> NIOLockedValueBox<Stripe> {
        // The low bits of a hash of both words: IPv4 clients differ in `low` alone.
        let mixed = (client.high ^ client.low &* 0x9E37_79B9_7F4A_7C15) >> 32
        return stripes[Int(mixed % UInt64(Self.stripeCount))]
    }

    /// The tokens `bucket` holds at `now`.
    private func refilled(_ bucket: Bucket, at now: Int64) -> Double {
        let elapsed = Double(max(0, now - bucket.updated)) / 1e9
        return min(Double(limit.burst), bucket.tokens + elapsed * limit.perSecond)
    }

    /// Whole seconds until a bucket holding `tokens` has one, at least 1 (`Retry-After`).
    func retryAfter(tokens: Double) -> Int {
        let seconds = (1 - tokens) / limit.perSecond
        return max(1, Int(min(seconds, 86_400).rounded(.up)))
    }

    /// Takes a token for `client` at `now`: nil when it had one, else the seconds until it has (the
    /// refusal counted).
    package func take(_ client: RateLimitClient, at now: Int64 = RunClock.monotonicNanoseconds()) -> Int? {
        let wait: Int? = stripe(of: client).withLockedValue { stripe in
            var bucket = stripe.buckets[client] ?? Bucket(tokens: Double(limit.burst), updated: now)
            bucket.tokens = refilled(bucket, at: now)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                stripe.buckets[client] = bucket
                return retryAfter(tokens: bucket.tokens)
            }
            bucket.tokens -= 1
            if stripe.buckets[client] == nil, stripe.buckets.count >= perStripe { makeRoom(in: &stripe, at: now) }
            stripe.buckets[client] = bucket
            return nil
        }
        if wait != nil { refusals?.increment() }
        return wait
    }

    /// The seconds until `client` has a token, without taking one; nil when it has one now. For the event
    /// loop's look before it hands a nonce request on: a client that has none is refused there.
    package func wait(for client: RateLimitClient, at now: Int64 = RunClock.monotonicNanoseconds()) -> Int? {
        stripe(of: client).withLockedValue { stripe in
            guard let bucket = stripe.buckets[client] else { return nil }
            let tokens = refilled(bucket, at: now)
            return tokens >= 1 ? nil : retryAfter(tokens: tokens)
        }
    }

    /// Counts a refusal made on `wait`'s word.
    package func countRefusal() {
        refusals?.increment()
    }

    /// Drops the buckets that have refilled (nothing is lost: a client without one gets a full one); when
    /// that frees less than an eighth of the stripe, any others until it does, so that a flood of distinct
    /// addresses costs one sweep per eighth of a stripe, not one per request.
    private func makeRoom(in stripe: inout Stripe, at now: Int64) {
        let full = Double(limit.burst)
        stripe.buckets = stripe.buckets.filter { refilled($0.value, at: now) < full }
        let target = perStripe - max(1, perStripe / 8)
        while stripe.buckets.count > target {
            stripe.buckets.remove(at: stripe.buckets.startIndex)
        }
    }

    /// Buckets held now.
    var count: Int { stripes.reduce(0) { $0 + $1.withLockedValue { $0.buckets.count } } }
}
