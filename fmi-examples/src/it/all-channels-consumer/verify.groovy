// Every channel with the BOM: Lettuce's Netty and fmi-tcpunch's Netty resolve to one version.
def tree = new File(basedir, 'target/dependency-tree.txt').text
assert tree.contains('io.lettuce:lettuce-core'): tree
assert tree.contains('software.amazon.awssdk:s3') && tree.contains('software.amazon.awssdk:dynamodb'): tree
def netty = (tree =~ /io\.netty:[\w.-]+:jar(?::[\w_-]+)?:([\w.-]+):/).collect { it[1] } as Set
assert netty.size() == 1: "Netty versions " + netty + ":\n" + tree
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.AllChannelsTest.xml').text
assert report.contains('tests="1"') && report.contains('failures="0"') && report.contains('errors="0"') && report.contains('skipped="0"'): report
println "all-channels consumer: Netty " + netty + " for fmi-tcpunch and Lettuce alike"
return true
