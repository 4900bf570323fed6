package io.fmi.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A class path as a deployment would have it: this module's classes, plus a
 * {@code META-INF/services} file that lists {@link BrokenProvider}, without {@link MissingClient}.
 * Classes whose names start with {@code childFirst} are defined here rather than by the parent, so
 * that they resolve their dependencies here and miss {@link MissingClient}.
 */
final class ProviderClassLoader extends URLClassLoader {
    private final String childFirst;

    private ProviderClassLoader(URL[] urls, String childFirst) {
        super(urls, ProviderClassLoader.class.getClassLoader());
        this.childFirst = childFirst;
    }

    /**
     * A loader over fmi-core's classes, this module's test classes and a services file in
     * {@code dir} that lists {@link BrokenProvider}.
     */
    static ProviderClassLoader create(Path dir, String childFirst) {
        try {
            Path services = dir.resolve("META-INF/services");
            Files.createDirectories(services);
            Files.writeString(services.resolve(ChannelProvider.class.getName()), BrokenProvider.class.getName() + "\n");
            List<URL> urls = new ArrayList<>();
            urls.add(ChannelProvider.class.getProtectionDomain().getCodeSource().getLocation());
            urls.add(BrokenProvider.class.getProtectionDomain().getCodeSource().getLocation());
            urls.add(dir.toUri().toURL());
            return new ProviderClassLoader(urls.toArray(new URL[0]), childFirst);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.equals(MissingClient.class.getName())) {
            throw new ClassNotFoundException(name + " (hidden: its jar is not deployed)");
        }
        if (!name.startsWith(childFirst)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = findClass(name);
                } catch (ClassNotFoundException e) {
                    return super.loadClass(name, resolve);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}
