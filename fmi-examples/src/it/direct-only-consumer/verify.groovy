// The consumer's runtime dependency tree: no Lettuce, no AWS SDK, one Netty version.
def tree = new File(basedir, 'target/dependency-tree.txt').text
assert !tree.contains('io.lettuce'): "Lettuce in a Direct-only build:\n" + tree
assert !tree.contains('software.amazon.awssdk'): "AWS SDK in a Direct-only build:\n" + tree
def netty = (tree =~ /io\.netty:[\w.-]+:jar(?::[\w_-]+)?:([\w.-]+):/).collect { it[1] } as Set
assert netty.size() == 1: "Netty versions " + netty + ":\n" + tree
assert tree.contains('io.fmi:fmi-channel-direct'): tree
// The test ran and passed (surefire fails the build otherwise; this checks it was not skipped).
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.DirectOnlyTest.xml').text
assert report.contains('tests="1"') && report.contains('failures="0"') && report.contains('errors="0"') && report.contains('skipped="0"'): report
println "direct-only consumer: Netty " + netty + ", no Lettuce, no AWS SDK, 2-peer Direct allreduce passed"
return true
