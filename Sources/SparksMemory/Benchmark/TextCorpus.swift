/// Sentences of 8–24 words about the things a team tells its tools (services, builds, incidents),
/// generated deterministically: different enough to be distinct memories, alike enough to have
/// the structure real text has.
public enum TextCorpus {
    static let subjects = [
        "the billing service", "our CI pipeline", "the staging cluster", "the payments API", "the nightly backup job",
        "the search indexer", "the mobile app build", "the auth gateway", "the data warehouse loader", "the email notifier",
        "the image resizer", "the feature flag service", "the invoice generator", "the metrics collector",
        "the web frontend", "the GraphQL layer", "the message queue consumer", "the cron scheduler", "the audit logger",
        "the recommendation model", "the release script", "the database migration tool", "the CDN purge job",
        "the customer portal", "the rate limiter", "the session store", "the export worker", "the webhook relay",
        "the PDF renderer", "the geo lookup service",
    ]
    static let verbs = [
        "deploys with", "fails without", "depends on", "was rewritten to use", "is slow because of", "times out when calling",
        "retries through", "is monitored by", "stores its state in", "reads configuration from", "must be restarted after",
        "logs every request to", "was moved behind", "leaks memory when using", "needs a warm cache from",
        "is tested against", "is rate limited by", "publishes events to", "was migrated away from", "shares a database with",
    ]
    static let objects = [
        "the Redis cluster", "a Postgres 16 replica", "the Kafka topic orders", "an S3 bucket in eu-west-1", "the VPN tunnel",
        "the legacy SOAP endpoint", "a Helm chart", "the internal package registry", "the vault secrets engine",
        "a Makefile target", "the blue-green load balancer", "a Lambda function", "the shared NFS mount", "the Elasticsearch index",
        "the OAuth provider", "a sidecar proxy", "the job queue", "the feature flag SDK", "a gRPC health check",
        "the cost dashboard", "the staging DNS zone", "a nightly snapshot", "the Terraform state", "the Sentry project",
    ]
    static let tails = [
        "", "on Fridays", "since the last outage", "during peak traffic", "after every release", "in the EU region",
        "when the disk fills up", "according to the runbook", "as agreed with the platform team", "until the next quarter",
        "because of a known bug", "for compliance reasons", "only in production", "unless the flag is off",
    ]

    /// The `index`-th sentence (distinct for index below 30·20·24·14·6 ≈ 1.2 million).
    public static func sentence(_ index: Int) -> String {
        var rest = index
        func pick<T>(_ items: [T]) -> T {
            defer { rest /= items.count }
            return items[rest % items.count]
        }
        let subject = pick(subjects), verb = pick(verbs), object = pick(objects), tail = pick(tails)
        let number = rest % 6
        let extra = ["", " (ticket \(1000 + index % 9000))", " — see the wiki", ", says the on-call log", "; check twice",
                     " and nobody remembers why"][number]
        let text = "\(subject) \(verb) \(object)\(tail.isEmpty ? "" : " " + tail)\(extra)."
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    public static func sentences(_ count: Int, offset: Int = 0) -> [String] {
        (offset..<(offset + count)).map(sentence)
    }
}
