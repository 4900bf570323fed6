/**
 * What the S3 and DynamoDB channels share, for them and for channels from outside built on the
 * AWS SDK v2: building SDK clients from an {@code fmi.json} backend entry (region, endpoint,
 * credentials, no SDK retries), calls retried with back-off inside an operation's deadline with
 * SDK errors translated into FMI's exceptions ({@link io.fmi.channel.aws.AwsCalls}), and the poll
 * schedule of stores that cannot block for a reader ({@link io.fmi.channel.aws.PollSchedule}).
 * Users depend on {@code fmi-channel-s3} or {@code fmi-channel-dynamodb}, which bring this module.
 */
package io.fmi.channel.aws;
