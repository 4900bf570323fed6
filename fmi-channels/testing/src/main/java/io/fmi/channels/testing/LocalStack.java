package io.fmi.channels.testing;

import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * One LocalStack container (S3 and DynamoDB) per JVM, for machines with a Docker engine; stopped
 * at exit. Thread-safe.
 */
public final class LocalStack {
    private static LocalStackContainer container;

    private LocalStack() {
    }

    /** The running container; starts it on first call. */
    public static synchronized LocalStackContainer get() {
        if (container == null) {
            LocalStackContainer c = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
                    .withServices(LocalStackContainer.Service.S3, LocalStackContainer.Service.DYNAMODB);
            try {
                c.start();
            } catch (RuntimeException e) {
                throw Servers.unavailable("LocalStack (Testcontainers)", e);
            }
            Servers.atExit("localstack", c::stop);
            container = c;
        }
        return container;
    }
}
