"""The content folder read into objects: pages, programs, tracks and agreements."""
