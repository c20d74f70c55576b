package io.cloudpark.testing.arquillian;

import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.core.spi.LoadableExtension;

/** Registers the embedded Restcomm container with Arquillian (META-INF/services). */
public class EmbeddedRestcommExtension implements LoadableExtension {
    @Override
    public void register(ExtensionBuilder builder) {
        builder.service(DeployableContainer.class, EmbeddedRestcommContainer.class);
    }
}
