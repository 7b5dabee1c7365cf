"""The Streamlit web app (`footnote ui`): Ask, Sources and Evaluations pages."""
